// Package sample embeds Sapar's sample content in its source form (what MRC
// editors write): the demo's default and a valid input for `sapar content`.
package sample

import (
	"embed"
	"io/fs"
)

//go:embed guides contacts.yaml agencies.csv synonyms.yaml
var files embed.FS

// FS returns the sample sources, rooted so that guides/<id>/…, contacts.yaml
// and agencies.csv are at the top.
func FS() fs.FS { return files }
