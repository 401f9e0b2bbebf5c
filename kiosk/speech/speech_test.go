package speech

import "testing"

func TestKarakalpakForTheKazakhVoice(t *testing.T) {
	for in, want := range map[string]string{
		"Pasportıńızdı bermeń.": "Паспортыңызды бермең.",
		"Ǵárezsiz shıǵıw":       "Ғәрезсиз шығыу",
		"Úlken hárip QR":        "Үлкен һәрип QR",
		"Íqtıyar":               "Ықтыйар",
		"Chet":                  "Чет",
	} {
		got := kaaForKazakhVoice(in)
		if got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
		for _, r := range got {
			if r >= 'a' && r <= 'z' {
				t.Errorf("%q: Latin letter left in %q", in, got)
				break
			}
		}
	}
}
