package fonts

import "golang.org/x/image/font/sfnt"

type sfntBuf struct{ sfnt.Buffer }
