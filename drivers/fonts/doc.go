// Package fonts embeds the fonts the drivers draw with — Noto Sans Mono for
// printer character cells (Latin, Cyrillic including ң ө ү ҳ ӣ ӯ ҷ, Latin
// extended ǵ ń) and Noto Naskh Arabic for Urdu lines — and renders glyphs
// into printer-cell bitmaps. Both are SIL Open Font License 1.1 (OFL.txt),
// copied unmodified from Debian's fonts-noto-core.
//
// It must not know about ESC/POS or guides: it only turns runes into pixels.
package fonts
