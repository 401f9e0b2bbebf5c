package usage

import (
	"cmp"
	"slices"
)

// Hidden marks a suppressed cell in a Report after Suppress: shown as
// "<N" (N = MinCount), left out of every total.
const Hidden int64 = -1

// DefaultMinCount is the smallest count a published report shows.
const DefaultMinCount = 5

// Suppress hides small counts so that nobody can be singled out from a
// report (OCHA's guidance on statistical disclosure control of
// humanitarian data): every cell from 1 to k-1 becomes Hidden (primary
// suppression), and where a table would then hide a single cell — which
// its total would give away — the next smallest cell is hidden too
// (complementary suppression). A table whose cells add up to less than k is
// hidden whole. k <= 1 returns r unchanged. Totals drawn from the result
// add up the shown cells only.
func Suppress(r Report, k int64) Report {
	if k <= 1 {
		return r
	}
	out := r
	out.MinCount = k
	single := func(n *int64) {
		if *n > 0 && *n < k {
			*n = Hidden
		}
	}
	single(&out.Sessions)
	single(&out.IdleResets)

	out.Languages = suppressMap(r.Languages, k)
	// Searches: one table per language (found, none), and the languages'
	// totals against each other.
	out.Searches = map[string][2]int64{}
	for l, s := range r.Searches {
		cells := []int64{s[0], s[1]}
		suppressCells(cells, k)
		out.Searches[l] = [2]int64{cells[0], cells[1]}
	}
	// Prints: ok and each failure reason are one table.
	prints := map[string]int64{"\x00ok": r.PrintsOK}
	for reason, n := range r.PrintFailures {
		prints[reason] = n
	}
	prints = suppressMap(prints, k)
	out.PrintsOK = prints["\x00ok"]
	delete(prints, "\x00ok")
	out.PrintFailures = prints
	agency := []int64{r.Agency[0], r.Agency[1]}
	suppressCells(agency, k)
	out.Agency = [2]int64{agency[0], agency[1]}
	hours := slices.Clone(r.ByHourOfDay[:])
	suppressCells(hours, k)
	copy(out.ByHourOfDay[:], hours)

	// Guides: the totals against each other, and each guide's languages
	// and sources against its total.
	out.Guides = make([]GuideLine, len(r.Guides))
	totals, printed := make([]int64, len(r.Guides)), make([]int64, len(r.Guides))
	for i, g := range r.Guides {
		totals[i], printed[i] = g.Total, g.Prints
	}
	suppressCells(totals, k)
	suppressCells(printed, k)
	for i, g := range r.Guides {
		out.Guides[i] = GuideLine{Topic: g.Topic, Total: totals[i], Prints: printed[i],
			ByLang: suppressMap(g.ByLang, k), ByFrom: suppressMap(g.ByFrom, k)}
		if totals[i] == Hidden { // a hidden total hides its breakdown too
			for _, m := range []map[string]int64{out.Guides[i].ByLang, out.Guides[i].ByFrom} {
				for key, n := range m {
					if n > 0 {
						m[key] = Hidden
					}
				}
			}
		}
	}
	// Hour × topic × language: each topic and language's hours as one table.
	out.Detail = slices.Clone(r.Detail)
	type tl struct{ topic, lang string }
	groups := map[tl][]int{}
	for i, d := range out.Detail {
		groups[tl{d.Topic, d.Lang}] = append(groups[tl{d.Topic, d.Lang}], i)
	}
	for _, idx := range groups {
		opened, prn := make([]int64, len(idx)), make([]int64, len(idx))
		for j, i := range idx {
			opened[j], prn[j] = out.Detail[i].Opened, out.Detail[i].Printed
		}
		suppressCells(opened, k)
		suppressCells(prn, k)
		for j, i := range idx {
			out.Detail[i].Opened, out.Detail[i].Printed = opened[j], prn[j]
		}
	}
	return out
}

func suppressMap(m map[string]int64, k int64) map[string]int64 {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	slices.Sort(keys) // ties broken the same way every time
	cells := make([]int64, len(keys))
	for i, key := range keys {
		cells[i] = m[key]
	}
	suppressCells(cells, k)
	out := make(map[string]int64, len(m))
	for i, key := range keys {
		out[key] = cells[i]
	}
	return out
}

// suppressCells applies primary and complementary suppression to one table.
func suppressCells(cells []int64, k int64) {
	var sum int64
	for _, n := range cells {
		sum += n
	}
	if sum < k {
		for i, n := range cells {
			if n > 0 {
				cells[i] = Hidden
			}
		}
		return
	}
	hidden := 0
	for i, n := range cells {
		if n > 0 && n < k {
			cells[i] = Hidden
			hidden++
		}
	}
	if hidden != 1 {
		return
	}
	// One hidden cell is the total minus the others: hide the smallest shown one too.
	best := -1
	for i, n := range cells {
		if n > 0 && (best < 0 || cmp.Less(n, cells[best])) {
			best = i
		}
	}
	if best >= 0 {
		cells[best] = Hidden
	}
}

// Shown is n for a shown cell and 0 for a hidden one: what totals add up.
func Shown(n int64) int64 { return max(n, 0) }
