package web

import "sapar/kiosk/usage"

// Usage receives anonymous usage counts (never what anyone typed);
// *usage.Counter from kiosk/usage implements it.
type Usage interface {
	Session()
	Language(lang string)
	GuideOpened(topic, lang string, from usage.Source)
	Search(lang string, found bool)
	Print(topic, lang, reason string)
	AgencyCheck(lang string, found bool)
	IdleReset()
}

type noUsage struct{}

func (noUsage) Session()                                 {}
func (noUsage) Language(string)                          {}
func (noUsage) GuideOpened(string, string, usage.Source) {}
func (noUsage) Search(string, bool)                      {}
func (noUsage) Print(string, string, string)             {}
func (noUsage) AgencyCheck(string, bool)                 {}
func (noUsage) IdleReset()                               {}
