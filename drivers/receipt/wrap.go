package receipt

import (
	"strings"
	"unicode/utf8"
)

// wrap breaks text into lines of at most cols characters at spaces; a word
// longer than a line is cut. Each rune counts one column (Font A is fixed
// width and user-defined characters take one cell).
func wrap(text string, cols int) []string {
	if cols < 1 {
		cols = 1
	}
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		cur, n := "", 0
		for _, w := range words {
			wl := utf8.RuneCountInString(w)
			for wl > cols {
				if n > 0 {
					lines = append(lines, cur)
					cur, n = "", 0
				}
				rs := []rune(w)
				lines = append(lines, string(rs[:cols]))
				w = string(rs[cols:])
				wl -= cols
			}
			switch {
			case n == 0:
				cur, n = w, wl
			case n+1+wl <= cols:
				cur += " " + w
				n += 1 + wl
			default:
				lines = append(lines, cur)
				cur, n = w, wl
			}
		}
		if n > 0 || cur != "" {
			lines = append(lines, cur)
		}
	}
	return lines
}

// hanging wraps text after prefix, indenting continuation lines under the text.
func hanging(prefix, text string, cols int) []string {
	pl := utf8.RuneCountInString(prefix)
	if pl >= cols/2 {
		return wrap(prefix+text, cols)
	}
	body := wrap(text, cols-pl)
	pad := strings.Repeat(" ", pl)
	for i := range body {
		if i == 0 {
			body[i] = prefix + body[i]
		} else {
			body[i] = pad + body[i]
		}
	}
	return body
}

// wrapWidth breaks text at spaces so that each line measures at most max
// dots (shaped width; the measure sees whole candidate lines so joins count).
func wrapWidth(text string, max int, measure func(string) int) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		cur := ""
		for _, w := range strings.Fields(para) {
			cand := w
			if cur != "" {
				cand = cur + " " + w
			}
			if cur != "" && measure(cand) > max {
				lines = append(lines, cur)
				cur = w
				continue
			}
			cur = cand
		}
		lines = append(lines, cur)
	}
	return lines
}
