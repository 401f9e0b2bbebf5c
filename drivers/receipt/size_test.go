package receipt

import (
	"strings"
	"testing"

	"sapar/drivers/escpos"
)

// twelveLines is a Kyrgyz slip of twelve printed lines (a title and eleven
// steps that each fit one 48-column line) and a QR code: the size the issue
// compares against (node-thermal-printer needs about 800 bytes for 12
// lines and a native QR on an Epson profile).
func twelveLines() Document {
	steps := []string{
		"Туристтик виза менен иштөөгө болбойт.",
		"Жумуш визасын гана алыңыз.",
		"Агенттиктин лицензиясын текшериңиз.",
		"Келишимди кетүүдөн мурун окуп чыгыңыз.",
		"Келишимдин көчүрмөсүн өзүңүздө сактаңыз.",
		"Айлык акы канча экенин жазып алыңыз.",
		"Паспортуңузду эч кимге бербеңиз.",
		"Кирүүгө тыюу бар-жогун текшериңиз.",
		"Консулдуктун дарегин жазып алыңыз.",
		"Үй-бүлөңүзгө дарегиңизди айтыңыз.",
		"Жардам керек болсо МРБга кайрылыңыз.",
	}
	return Document{Lang: "ky", Title: "Жумуш визасы", Steps: steps, QRURL: "https://migrant.kg/"}
}

func TestTwelveKyrgyzLinesWithQRStayUnder800Bytes(t *testing.T) {
	p, err := escpos.ProfileByName("TM-T20III")
	if err != nil {
		t.Fatal(err)
	}
	doc := twelveLines()
	for _, s := range doc.Steps {
		if n := len([]rune(s)) + 4; n > p.Columns {
			t.Fatalf("step %q takes more than one line", s)
		}
	}
	job, err := Render(doc, p)
	if err != nil {
		t.Fatal(err)
	}
	text := len([]rune(doc.Title))
	for _, s := range doc.Steps {
		text += len([]rune(s))
	}
	t.Logf("12 Kyrgyz lines + native QR on %s: %d bytes (%d of them the letters, one byte each in KZ-1048)", p.Name, len(job), text)
	if len(job) > 800 {
		t.Errorf("%d bytes for 12 lines and a QR: more than the ~800 node-thermal-printer sends", len(job))
	}
	if !strings.Contains(string(job), "\x1bt\x35") {
		t.Error("no ESC t 53 (KZ-1048) in the job")
	}
}
