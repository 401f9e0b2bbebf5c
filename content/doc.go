// Package content is Sapar's content model: guides in many languages with
// their stages, pictograms, links and printed-slip text; the strict authoring
// format editors write (Markdown with YAML front matter); the languages, their
// scripts and fallback chains; the words people type that the guides do not
// use (synonyms.yaml, written by editors); and the SQLite store with search
// across scripts and languages that the kiosk reads.
//
// It must not know about printers, HTTP or the screen: it hands out plain
// values, and the kiosk decides how to show or print them.
package content
