// Package refslips holds reference guide slips (about 25 lines plus a QR)
// in the languages whose printing is hardest, for tests, fuzz seeds and the
// benchmark. The wording is sample data, not real advice.
package refslips

import "sapar/drivers/receipt"

// All returns the reference documents by language tag.
func All() map[string]receipt.Document {
	return map[string]receipt.Document{"ky": Kyrgyz(), "uz-Cyrl": UzbekCyrillic(), "kaa": Karakalpak(), "ur": Urdu(), "tg": Tajik()}
}

// Langs is the benchmark order.
var Langs = []string{"ky", "uz-Cyrl", "kaa", "ur"}

func Kyrgyz() receipt.Document {
	return receipt.Document{
		Lang:     "ky",
		Title:    "Чет өлкөгө иштөөгө кетүү",
		Subtitle: "Кетүүдөн мурун · Россия",
		Notice:   "SAMPLE DATA — not real",
		Steps: []string{
			"Паспортуңузду текшериңиз: мөөнөтү кеминде 6 ай калышы керек.",
			"Лицензиясы бар агенттиктердин тизмесин Миграция кызматынан сураңыз.",
			"Эмгек келишимине кол коюудан мурун анын көчүрмөсүн алыңыз.",
			"Үй-бүлөңүзгө дарегиңизди жана телефонуңузду калтырыңыз.",
			"Акчаны которуу үчүн банк картасын ачып алыңыз.",
		},
		Paragraphs: []string{"Эч качан паспортуңузду жумуш берүүчүгө өткөрүп бербеңиз. Өзүңүздүн укуктарыңызды билиңиз."},
		Contacts:   []string{"Миграция ресурстук борбору: +996 312 00 00 00", "Ишеним телефону: 1212"},
		QRURL:      "https://example.org/ky/guide/leaving-for-work",
		QRCaption:  "Толугураак: QR кодду сканерлеңиз",
		Footer:     []string{"Бишкек, Манас аэропорту", "2025-06-01 · мазмун v1"},
	}
}

func UzbekCyrillic() receipt.Document {
	return receipt.Document{
		Lang:     "uz-Cyrl",
		Title:    "Хорижда ишлашга кетиш",
		Subtitle: "Кетишдан олдин · Россия",
		Notice:   "SAMPLE DATA — not real",
		Steps: []string{
			"Паспортингизни текширинг: муддати камида 6 ой қолиши керак.",
			"Ҳужжатларингиз нусхасини оилангизга қолдиринг.",
			"Лицензияга эга агентликлар рўйхатини Миграция агентлигидан сўранг.",
			"Меҳнат шартномасини имзолашдан олдин унинг нусхасини олинг.",
			"Ҳар доим ҳаракатланиш ҳуқуқингизни билинг.",
		},
		Paragraphs: []string{"Ҳеч қачон паспортингизни иш берувчига топширманг. Ўз ҳуқуқларингизни билинг."},
		Contacts:   []string{"Миграция ресурс маркази: +998 71 000 00 00", "Ишонч телефони: 1009"},
		QRURL:      "https://example.org/uz-Cyrl/guide/leaving-for-work",
		QRCaption:  "Батафсил: QR кодни сканерланг",
		Footer:     []string{"Тошкент, халқаро аэропорт", "2025-06-01 · мазмун v1"},
	}
}

func Karakalpak() receipt.Document {
	return receipt.Document{
		Lang:     "kaa",
		Title:    "Shet elge jumısqa ketiw",
		Subtitle: "Ketiwden aldın · Rossiya",
		Notice:   "SAMPLE DATA — not real",
		Steps: []string{
			"Pasportıńızdı tekseriń: múddeti keminde 6 ay qalıwı kerek.",
			"Hújjetlerińizdiń nusqasın shańaraǵıńızǵa qaldırıń.",
			"Licenziyası bar agentlikler dizimin Migraciya agentliginen sorań.",
			"Miynet shártnamasına qol qoyıwdan aldın onıń nusqasın alıń.",
			"Óz huqıqlarıńızdı biliń hám jol haqqın aldın tóleń.",
		},
		Paragraphs: []string{"Hesh qashan pasportıńızdı jumıs beriwshige bermeń. Jaǵdayıńız qıyın bolsa, Oraylıq telefonǵa qońıraw etiń."},
		Contacts:   []string{"Migraciya resurs orayı: +998 61 000 00 00", "Isenim telefonı: 1009"},
		QRURL:      "https://example.org/kaa/guide/leaving-for-work",
		QRCaption:  "Tolıǵıraq: QR kodtı skanerleń",
		Footer:     []string{"Nókis, avtovokzal", "2025-06-01 · mazmun v1"},
	}
}

func Tajik() receipt.Document {
	return receipt.Document{
		Lang:       "tg",
		Title:      "Ба кор рафтан ба хориҷа",
		Subtitle:   "Пеш аз рафтан · Русия",
		Notice:     "SAMPLE DATA — not real",
		Steps:      []string{"Шиносномаи худро санҷед: мӯҳлаташ бояд на камтар аз 6 моҳ бошад.", "Нусхаи ҳуҷҷатҳоро ба оилаатон диҳед.", "Шартномаи меҳнатиро пеш аз имзо хонед."},
		Contacts:   []string{"Маркази захираҳои муҳоҷират: +996 312 00 00 00"},
		QRURL:      "https://example.org/tg/guide/leaving-for-work",
		QRCaption:  "Маълумоти бештар: QR-кодро скан кунед",
		Footer:     []string{"Бишкек", "2025-06-01 · v1"},
		Paragraphs: []string{"Ҳуқуқҳои худро донед ва ба ҳеҷ кас шиносномаатонро надиҳед."},
	}
}

func Urdu() receipt.Document {
	return receipt.Document{
		Lang:     "ur",
		Title:    "کرغزستان میں کام اور رہائش",
		Subtitle: "غیر ملکی شہری · کرغزستان",
		Notice:   "SAMPLE DATA — not real",
		Steps: []string{
			"اپنا پاسپورٹ ہمیشہ اپنے پاس رکھیں۔",
			"رجسٹریشن سات دن کے اندر کروائیں۔",
			"کام کا اجازت نامہ صرف لائسنس یافتہ ایجنسی سے لیں۔",
			"معاہدے کی ایک نقل اپنے پاس رکھیں۔",
			"مسئلہ ہو تو ہیلپ لائن پر فون کریں۔",
		},
		Paragraphs: []string{"کسی کو اپنا پاسپورٹ نہ دیں۔"},
		Contacts:   []string{"مائیگریشن ریسورس سینٹر: +996 312 00 00 00", "ہیلپ لائن: 1212"},
		QRURL:      "https://example.org/ur/guide/work-and-stay",
		QRCaption:  "مزید معلومات: QR کوڈ اسکین کریں",
		Footer:     []string{"Bishkek, Manas airport", "2025-06-01 · v1"},
	}
}
