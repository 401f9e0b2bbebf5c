package content

// ValidID reports whether s has the shape of a Sapar identifier: lower-case
// letters and digits in groups joined by single hyphens ("work-visa",
// "paper-out"). Guide, contact and agency ids use it, and so do the usage
// counts and reports for every label they keep: one pattern, so an id the
// content accepts is never counted as "other".
func ValidID(s string) bool { return idPattern.MatchString(s) }
