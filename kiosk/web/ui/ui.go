// Package ui holds the kiosk's page and its assets, embedded in the binary:
// the touch UI (index.html), the technician's page (maintenance.html) and
// static/ (scripts, styles, strings, keyboards, pictograms). Load reads them
// once, gives each asset a content-hashed URL (so a new firmware never
// shows a cached old script) and parses the pages, failing loudly if an
// asset is missing.
//
// It must not serve requests of its own beyond the static files, nor load
// anything from outside the binary.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed index.html
var indexHTML string

//go:embed maintenance.html
var maintenanceHTML string

//go:embed static
var staticFS embed.FS

// required are the assets the pages cannot work without.
var required = []string{"app.js", "app.css", "i18n.json", "keyboards.json", "pictograms.svg", "maintenance.js", "maintenance.css"}

// File is one embedded asset.
type File struct {
	Data        []byte
	ContentType string
}

// Assets are the embedded files by hashed URL, and the pages.
type Assets struct {
	Files map[string]File   // "/static/<hash>/app.js" → file
	URLs  map[string]string // "app.js" → "/static/<hash>/app.js"

	index, maintenance *template.Template
}

// Load reads every embedded asset and parses the pages.
func Load() (*Assets, error) {
	a := &Assets{Files: map[string]File{}, URLs: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := strings.TrimPrefix(p, "static/")
		url := "/static/" + hex.EncodeToString(sum[:6]) + "/" + name
		a.URLs[name] = url
		a.Files[url] = File{Data: data, ContentType: contentType(name)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ui: assets: %w", err)
	}
	for _, need := range required {
		if a.URLs[need] == "" {
			return nil, fmt.Errorf("ui: asset %s missing from the build", need)
		}
	}
	if a.index, err = template.New("index").Parse(indexHTML); err != nil {
		return nil, fmt.Errorf("ui: index.html: %w", err)
	}
	if a.maintenance, err = template.New("maintenance").Parse(maintenanceHTML); err != nil {
		return nil, fmt.Errorf("ui: maintenance.html: %w", err)
	}
	return a, nil
}

// IndexPage renders the touch UI with its boot data (token, languages, …).
func (a *Assets) IndexPage(boot any) ([]byte, error) { return render(a.index, a.URLs, boot) }

// MaintenancePage renders the technician's page (maintenance or first-boot
// setup, as boot's "mode" says).
func (a *Assets) MaintenancePage(boot any) ([]byte, error) {
	return render(a.maintenance, a.URLs, boot)
}

func render(t *template.Template, urls map[string]string, boot any) ([]byte, error) {
	bj, err := json.Marshal(boot)
	if err != nil {
		return nil, fmt.Errorf("ui: boot data: %w", err)
	}
	var page bytes.Buffer
	if err := t.Execute(&page, map[string]any{"Assets": urls, "Boot": template.JS(bj)}); err != nil {
		return nil, fmt.Errorf("ui: %s: %w", t.Name(), err)
	}
	return page.Bytes(), nil
}

// ServeHTTP answers GET /static/<hash>/<name>: cached for a year, since
// the URL changes with the content.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.Files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(f.Data)
}

// ReadFile returns an embedded asset by name ("i18n.json").
func ReadFile(name string) ([]byte, error) { return staticFS.ReadFile("static/" + name) }

// Strings returns the UI's strings by language from i18n.json (the slip's
// stage line uses them too).
func Strings() (map[string]map[string]string, error) {
	raw, err := ReadFile("i18n.json")
	if err != nil {
		return nil, fmt.Errorf("ui: strings: %w", err)
	}
	var m map[string]map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("ui: strings: %w", err)
	}
	return m, nil
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	}
	return "application/octet-stream"
}
