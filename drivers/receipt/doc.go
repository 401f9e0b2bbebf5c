// Package receipt lays out a neutral Document — title, notice, numbered
// steps, paragraphs, contacts, a QR link and a footer — as one complete
// ESC/POS job for a printer profile: text in code pages, user-defined
// characters or raster only where no table holds a glyph, word wrap by the
// profile's columns, and a cut.
//
// It must not import content or know what a guide is: the kiosk maps its
// content into a Document.
package receipt
