package main

import (
	"errors"
	"fmt"
	"io"

	"sapar/provisioning/techtext"
)

// techLang is the language of what a technician command prints (doctor,
// provision): --lang if given, else LC_ALL, LC_MESSAGES or LANG when one
// names a technician language (ru_RU.UTF-8, ky_KG, uz_UZ, en_US), else
// English, as for any command under the C locale.
func techLang(e env, flagValue string) (string, error) {
	if flagValue != "" {
		if l, ok := techtext.Match(flagValue); ok {
			return l, nil
		}
		return "", errors.New(techtext.Format("en", techtext.M("cli.bad_lang", "lang", flagValue)))
	}
	getenv := e.getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if l, ok := techtext.FromEnv(getenv); ok {
		return l, nil
	}
	return "en", nil
}

// say prints a technician message in lang, with a newline.
func say(w io.Writer, lang, key string, kv ...any) {
	fmt.Fprintln(w, techtext.Format(lang, techtext.M(key, kv...)))
}
