// Package bundle is the on-disk layout of a published content bundle: a
// directory holding index.json and content-addressed objects
// (objects/<sha256>). A one-guide change changes one object, so an update
// downloads one small file; each object is one signed TUF target.
//
// It knows nothing about guides or languages (package content does), and it
// never trusts a bundle it has not verified: Open checks every object's size
// and hash against the index before anything reads it.
package bundle
