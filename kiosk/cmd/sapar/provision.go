package main

import (
	"bufio"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"
	"golang.org/x/term"

	"sapar/provisioning"
	"sapar/provisioning/pin"
	"sapar/provisioning/techtext"
)

const provisionUsage = `Usage:
  sapar provision --state DIR --file FILE (--pubkey KEY.pub | --unsigned) [--sig FILE.sig] [--lang L]
        validate FILE, create the device identity, write the state; prints the device id
  sapar provision check (--pubkey KEY.pub | --unsigned) [--lang L] FILE
        only validate (and verify the signature of) a provisioning file
  --lang ru|ky|uz-Latn|en: the technician's language (default from LC_ALL/LC_MESSAGES/LANG, else en)
  sapar provision hash-pin
        read a technician PIN on standard input, print its argon2id hash for pin_hash
  sapar provision keygen --out KEY
        MRC side: make the provisioning signing key KEY (secret) and KEY.pub (baked into the image)
  sapar provision sign --key KEY FILE
        MRC side: validate FILE and write its detached signature FILE.sig
`

// runProvision is `sapar provision`: first-boot provisioning and the MRC's
// tools for provisioning files.
func runProvision(e env) int { return provision(e, os.Stdin, time.Now) }

func provision(e env, stdin io.Reader, now func() time.Time) int {
	if len(e.args) > 0 {
		switch e.args[0] {
		case "hash-pin":
			return provisionHashPIN(e, stdin)
		case "keygen":
			return provisionKeygen(e)
		case "sign":
			return provisionSign(e)
		case "check":
			return provisionCheck(e)
		case "-h", "--help", "help":
			fmt.Fprint(e.stdout, provisionUsage)
			return exitOK
		}
	}
	fs := provFlagSet("provision")
	state := fs.String("state", "", "state directory of the kiosk")
	file := fs.String("file", "", "provisioning file (YAML)")
	sigPath := fs.String("sig", "", "detached signature (default FILE.sig)")
	pubPath := fs.String("pubkey", "", "MRC provisioning public key file")
	unsigned := fs.Bool("unsigned", false, "demo only: accept a file without signature")
	langFlag := fs.String("lang", "", "language of the output: ru, ky, uz-Latn, en")
	if code, ok := provParseFlags(e, fs); !ok {
		return code
	}
	lang, err := techLang(e, *langFlag)
	if err != nil {
		return provUsageError(e, "provision: "+err.Error())
	}
	if *state == "" || *file == "" || fs.NArg() != 0 {
		return provUsageError(e, "provision: need --state DIR and --file FILE")
	}
	pub, sig, code := provSignatureInputs(e, lang, *file, *sigPath, *pubPath, *unsigned)
	if code != exitOK {
		return code
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar provision: %v\n", err)
		return exitFailure
	}
	res, err := provisioning.Provision(*state, provisioning.Request{
		Name: *file, File: data, Sig: sig, PublicKey: pub, Unsigned: *unsigned, Now: now(),
	})
	if err != nil {
		say(e.stderr, lang, "cli.prov.refused")
		fmt.Fprintln(e.stderr, err)
		return exitFailure
	}
	st := res.State
	kept := techtext.M("cli.prov.id_new")
	if !res.IdentityCreated {
		kept = techtext.M("cli.prov.id_kept")
	}
	say(e.stdout, lang, "cli.prov.done", "kiosk", st.Config.Kiosk.ID, "name", st.Config.Kiosk.Name, "city", st.Config.Place.City, "dir", *state, "identity", kept)
	if *unsigned {
		say(e.stdout, lang, "cli.prov.unsigned")
	}
	fmt.Fprintln(e.stdout)
	say(e.stdout, lang, "cli.prov.device", "id", st.DeviceID)
	say(e.stdout, lang, "cli.prov.pubkey", "key", fmt.Sprintf("%x", st.PublicKey))
	fmt.Fprintln(e.stdout)
	if q, err := qrcode.New(st.DeviceID, qrcode.Medium); err == nil {
		fmt.Fprint(e.stdout, q.ToSmallString(false))
	}
	fmt.Fprintln(e.stdout)
	say(e.stdout, lang, "cli.prov.record", "dir", *state)
	return exitOK
}

// provSignatureInputs reads the public key and the .sig file, or accepts --unsigned.
func provSignatureInputs(e env, lang, file, sigPath, pubPath string, unsigned bool) (ed25519.PublicKey, []byte, int) {
	switch {
	case unsigned && pubPath != "":
		return nil, nil, provUsageError(e, "provision: give --pubkey or --unsigned, not both")
	case unsigned:
		return nil, nil, exitOK
	case pubPath == "":
		return nil, nil, provUsageError(e, "provision: give --pubkey KEY.pub (production: the MRC key in the image) or --unsigned (demo)")
	}
	b, err := os.ReadFile(pubPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar provision: %v\n", err)
		return nil, nil, exitFailure
	}
	pub, err := provisioning.ParsePublicKey(b)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar provision: %s: %v\n", pubPath, err)
		return nil, nil, exitFailure
	}
	if sigPath == "" {
		sigPath = file + provisioning.SigExt
	}
	sig, err := os.ReadFile(sigPath)
	if err != nil {
		say(e.stderr, lang, "cli.prov.no_sig", "file", file, "error", err.Error())
		return nil, nil, exitFailure
	}
	return pub, sig, exitOK
}

func provisionCheck(e env) int {
	fs := provFlagSet("provision check")
	pubPath := fs.String("pubkey", "", "MRC provisioning public key file")
	unsigned := fs.Bool("unsigned", false, "do not check a signature")
	langFlag := fs.String("lang", "", "language of the output: ru, ky, uz-Latn, en")
	e.args = e.args[1:]
	if code, ok := provParseFlags(e, fs); !ok {
		return code
	}
	lang, err := techLang(e, *langFlag)
	if err != nil {
		return provUsageError(e, "provision check: "+err.Error())
	}
	if fs.NArg() != 1 {
		return provUsageError(e, "provision check: need one FILE")
	}
	file := fs.Arg(0)
	pub, sig, code := provSignatureInputs(e, lang, file, "", *pubPath, *unsigned)
	if code != exitOK {
		return code
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar provision check: %v\n", err)
		return exitFailure
	}
	if !*unsigned {
		if err := provisioning.VerifySignature(pub, data, sig); err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", file, err)
			return exitFailure
		}
	}
	c, err := provisioning.Parse(file, data, provisioning.Options{})
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitFailure
	}
	say(e.stdout, lang, "cli.prov.check_ok", "file", file, "kiosk", c.Kiosk.ID, "kind", c.Place.Kind, "city", c.Place.City)
	return exitOK
}

func provisionHashPIN(e env, stdin io.Reader) int {
	if len(e.args) > 1 {
		return provUsageError(e, "provision hash-pin: takes no arguments; type the PIN on standard input")
	}
	var p string
	lang, _ := techLang(e, "")
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, techtext.Text(lang, "cli.prov.pin_prompt"))
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprint(e.stderr, "\n"+techtext.Text(lang, "cli.prov.pin_again"))
		b, err2 := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil || err2 != nil {
			fmt.Fprintln(e.stderr, "sapar provision hash-pin: cannot read the PIN")
			return exitFailure
		}
		if string(a) != string(b) {
			say(e.stderr, lang, "cli.prov.pin_differ")
			return exitFailure
		}
		p = string(a)
	} else {
		line, err := bufio.NewReader(io.LimitReader(stdin, 256)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			fmt.Fprintf(e.stderr, "sapar provision hash-pin: %v\n", err)
			return exitFailure
		}
		p = strings.TrimRight(line, "\r\n")
	}
	h, err := pin.New(p, pin.DefaultParams)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar provision hash-pin: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, h)
	return exitOK
}

func provisionKeygen(e env) int {
	fs := provFlagSet("provision keygen")
	out := fs.String("out", "", "private key file to create (KEY.pub is written beside it)")
	e.args = e.args[1:]
	if code, ok := provParseFlags(e, fs); !ok {
		return code
	}
	if *out == "" || fs.NArg() != 0 {
		return provUsageError(e, "provision keygen: need --out KEY")
	}
	pubFile, privFile, err := provisioning.GenerateSigningKey()
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar provision keygen: %v\n", err)
		return exitFailure
	}
	// O_EXCL: never overwrite a key already in use.
	if err := provWriteNew(*out, privFile, 0o600); err != nil {
		fmt.Fprintf(e.stderr, "sapar provision keygen: %v\n", err)
		return exitFailure
	}
	if err := provWriteNew(*out+".pub", pubFile, 0o644); err != nil {
		os.Remove(*out)
		fmt.Fprintf(e.stderr, "sapar provision keygen: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "Wrote %s (secret: keep it offline) and %s (bake into the image):\n%s", *out, *out+".pub", pubFile)
	return exitOK
}

func provWriteNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func provisionSign(e env) int {
	fs := provFlagSet("provision sign")
	keyPath := fs.String("key", "", "MRC provisioning private key file")
	e.args = e.args[1:]
	if code, ok := provParseFlags(e, fs); !ok {
		return code
	}
	if *keyPath == "" || fs.NArg() != 1 {
		return provUsageError(e, "provision sign: need --key KEY FILE")
	}
	file := fs.Arg(0)
	kb, err := os.ReadFile(*keyPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar provision sign: %v\n", err)
		return exitFailure
	}
	key, err := provisioning.ParsePrivateKey(kb)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar provision sign: %s: %v\n", *keyPath, err)
		return exitFailure
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "sapar provision sign: %v\n", err)
		return exitFailure
	}
	if _, err := provisioning.Parse(file, data, provisioning.Options{}); err != nil {
		fmt.Fprintf(e.stderr, "sapar provision sign: not signing an invalid file:\n%v\n", err)
		return exitFailure
	}
	if err := os.WriteFile(file+provisioning.SigExt, provisioning.Sign(key, data), 0o644); err != nil {
		fmt.Fprintf(e.stderr, "sapar provision sign: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "Signed %s → %s\n", file, file+provisioning.SigExt)
	return exitOK
}

func provFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("sapar "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// provParseFlags parses e.args; on -h it prints usage and returns (0, false), on
// a bad flag (2, false).
func provParseFlags(e env, fs *flag.FlagSet) (int, bool) {
	err := fs.Parse(e.args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, provisionUsage)
		return exitOK, false
	}
	if err != nil {
		return provUsageError(e, fmt.Sprintf("%s: %v", strings.TrimPrefix(fs.Name(), "sapar "), err)), false
	}
	return 0, true
}

func provUsageError(e env, msg string) int {
	fmt.Fprintf(e.stderr, "sapar %s\n\n%s", msg, provisionUsage)
	return exitUsage
}
