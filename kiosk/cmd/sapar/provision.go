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
)

const provisionUsage = `Usage:
  sapar provision --state DIR --file FILE (--pubkey KEY.pub | --unsigned) [--sig FILE.sig]
        validate FILE, create the device identity, write the state; prints the device id
  sapar provision check (--pubkey KEY.pub | --unsigned) FILE
        only validate (and verify the signature of) a provisioning file
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
	if code, ok := provParseFlags(e, fs); !ok {
		return code
	}
	if *state == "" || *file == "" || fs.NArg() != 0 {
		return provUsageError(e, "provision: need --state DIR and --file FILE")
	}
	pub, sig, code := provSignatureInputs(e, *file, *sigPath, *pubPath, *unsigned)
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
		fmt.Fprintf(e.stderr, "sapar provision: refused, state left as it was:\n%v\n", err)
		return exitFailure
	}
	st := res.State
	kept := "new identity created"
	if !res.IdentityCreated {
		kept = "existing identity kept"
	}
	fmt.Fprintf(e.stdout, "Provisioned %s (%s, %s) in %s; %s.\n", st.Config.Kiosk.ID, st.Config.Kiosk.Name, st.Config.Place.City, *state, kept)
	if *unsigned {
		fmt.Fprintln(e.stdout, "WARNING: unsigned provisioning: fine for a demo, refused by `sapar run` in production.")
	}
	fmt.Fprintf(e.stdout, "\nDevice id: %s\nPublic key: %x\n\n", st.DeviceID, st.PublicKey)
	if q, err := qrcode.New(st.DeviceID, qrcode.Medium); err == nil {
		fmt.Fprint(e.stdout, q.ToSmallString(false))
	}
	fmt.Fprintln(e.stdout, "\nRecord the device id in the MRC inventory (scan the QR code). Then run: sapar doctor --state", *state)
	return exitOK
}

// provSignatureInputs reads the public key and the .sig file, or accepts --unsigned.
func provSignatureInputs(e env, file, sigPath, pubPath string, unsigned bool) (ed25519.PublicKey, []byte, int) {
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
		fmt.Fprintf(e.stderr, "sapar provision: no signature for %s (%v): ask the MRC for the signed file and its .sig\n", file, err)
		return nil, nil, exitFailure
	}
	return pub, sig, exitOK
}

func provisionCheck(e env) int {
	fs := provFlagSet("provision check")
	pubPath := fs.String("pubkey", "", "MRC provisioning public key file")
	unsigned := fs.Bool("unsigned", false, "do not check a signature")
	e.args = e.args[1:]
	if code, ok := provParseFlags(e, fs); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return provUsageError(e, "provision check: need one FILE")
	}
	file := fs.Arg(0)
	pub, sig, code := provSignatureInputs(e, file, "", *pubPath, *unsigned)
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
	fmt.Fprintf(e.stdout, "%s: ok (kiosk %s, %s %s)\n", file, c.Kiosk.ID, c.Place.Kind, c.Place.City)
	return exitOK
}

func provisionHashPIN(e env, stdin io.Reader) int {
	if len(e.args) > 1 {
		return provUsageError(e, "provision hash-pin: takes no arguments; type the PIN on standard input")
	}
	var p string
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Technician PIN (6–12 digits): ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprint(e.stderr, "\nAgain: ")
		b, err2 := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil || err2 != nil {
			fmt.Fprintln(e.stderr, "sapar provision hash-pin: cannot read the PIN")
			return exitFailure
		}
		if string(a) != string(b) {
			fmt.Fprintln(e.stderr, "sapar provision hash-pin: the two PINs differ")
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
