// Package speech reads guides aloud with espeak-ng (WAV) for people who read
// little: which kiosk languages have a voice here, the text of a guide as
// it is read (title, the slip's steps, the body; Karakalpak transliterated
// for the Kazakh voice), and one synthesis at a time, streamed and killed
// when the listener goes away.
//
// It must only ever speak guide text from the content store, never free
// text from a request, and never log what it reads.
package speech
