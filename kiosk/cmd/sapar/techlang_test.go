package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"sapar/provisioning/doctor"
)

// A technician provisions and checks a kiosk in their language: --lang,
// or LANG when it names one; JSON stays English with the message keys.
func TestTechnicianCommandsSpeakTheirLanguage(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "state")
	run := func(environ map[string]string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := commands()[args[0]].run(env{ctx: ctx, stdout: &out, stderr: &errb, args: args[1:],
			getenv: func(k string) string { return environ[k] }})
		return code, out.String(), errb.String()
	}
	code, out, errs := run(nil, "provision", "--state", state, "--file", "../../../provisioning/example.yaml", "--unsigned", "--lang", "uz-Latn")
	if code != 0 {
		t.Fatalf("provision: %d %s", code, errs)
	}
	for _, want := range []string{"osh-airport-01", "sozlandi", "yangi qurilma kaliti yaratildi", "DIQQAT: imzosiz sozlama", "Qurilma identifikatori: SPR-", "sapar doctor --state " + state} {
		if !strings.Contains(out, want) {
			t.Errorf("provision in Uzbek lacks %q:\n%s", want, out)
		}
	}

	doctorRun := func(environ map[string]string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := doctorCmd(env{ctx: ctx, stdout: &out, stderr: &errb, args: args, getenv: func(k string) string { return environ[k] }},
			func(s string) doctor.Env { e := doctor.DefaultEnv(s); e.Timeout = 200e6; return e })
		return code, out.String(), errb.String()
	}
	cases := []struct {
		name    string
		environ map[string]string
		args    []string
		want    []string
	}{
		{"--lang ru", map[string]string{"LANG": "C.UTF-8"}, []string{"--lang", "ru"},
			[]string{"Киоск osh-airport-01, устройство SPR-", "настройка", "БЕЗ ПОДПИСИ", "часы показывают", "→ "}},
		{"LANG=ky_KG.UTF-8", map[string]string{"LANG": "ky_KG.UTF-8"}, nil,
			[]string{"Киоск osh-airport-01, түзмөк SPR-", "КОЛ ТАМГАСЫЗ", "саат "}},
		{"LC_ALL wins over LANG", map[string]string{"LANG": "ky_KG.UTF-8", "LC_ALL": "ru_RU.UTF-8"}, nil, []string{"Киоск osh-airport-01, устройство"}},
		{"C locale is English", map[string]string{"LANG": "C.UTF-8"}, nil, []string{"Kiosk osh-airport-01, device SPR-", "UNSIGNED", "PASS", "clock reads"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, out, errs := doctorRun(tc.environ, append([]string{"--state", state}, tc.args...)...)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s%s", w, out, errs)
				}
			}
		})
	}
	if code, _, errs := doctorRun(nil, "--state", state, "--lang", "kk"); code != exitUsage || !strings.Contains(errs, "not a technician language") {
		t.Errorf("--lang kk: %d %s", code, errs)
	}
	_, out, _ = doctorRun(map[string]string{"LANG": "ru_RU.UTF-8"}, "--state", state, "--json")
	var rep struct {
		Results []struct {
			Check, Status, Message string
			Text                   struct{ Key string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Results) == 0 {
		t.Fatalf("json: %v %s", err, out)
	}
	for _, r := range rep.Results {
		if r.Check == "provisioning" && (!strings.Contains(r.Message, "UNSIGNED") || r.Text.Key != "doctor.prov.unsigned") {
			t.Errorf("JSON provisioning result %+v: want the English message and its key", r)
		}
	}
}
