// Command sapar is the single binary of the Sapar kiosk: the kiosk itself,
// the content tools, the printer tool, the update publisher and client, and
// the technician's provisioning and doctor commands.
//
// main only parses the subcommand and hands it its dependencies; each
// subcommand lives in its own file.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// env is what every subcommand gets: no globals.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	args   []string // arguments after the subcommand name
	// getenv reads the environment (LANG for technician output); nil: empty.
	getenv func(string) string
}

// Exit statuses (DESIGN.md): 0 ok, 1 failure the user can act on, 2 usage.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

type command struct {
	summary string
	run     func(env) int
}

func commands() map[string]command {
	return map[string]command{
		"demo":        {"run the whole kiosk on the embedded sample content with a virtual printer", runDemo},
		"run":         {"run the kiosk in production from a provisioned state directory", runRun},
		"content":     {"check, build or preview content sources (content check|build|preview DIR)", runContent},
		"print":       {"render a guide slip to ESC/POS bytes or PNG, or print it on a serial port", runPrint},
		"printer":     {"printer tools: calibrate the kiosk's printer (tables, ESC &, QR, width) into STATE/printer-profile.json", runPrinter},
		"publish":     {"publisher side of signed updates (init, add, timestamp, rotate, status)", runPublish},
		"update":      {"one verified update cycle from HTTP mirrors or a USB directory", runUpdate},
		"firmware":    {"install the staged firmware package, health-gated with rollback (sapar-firmware.service, root)", runFirmware},
		"provision":   {"first-boot provisioning from a provisioning file", runProvision},
		"maintenance": {"nightly check (sapar-maintenance.timer, root): Debian security updates and their reboot, in the window, nobody at the screen", runMaintenance},
		"report":      {"information-needs report from the anonymous usage counts (CSV or HTML)", runReport},
		"doctor":      {"technician checks: printer, display, clock, disk, content, updates, network", runDoctor},
		"version":     {"print the build commit and the embedded content version", runVersion},
		"help":        {"show this help", nil},

		"push-metrics": {"the fleet push agent: vmagent pushing this kiosk's metrics to the MRC (fleet: in the provisioning file)", runPushMetrics},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // the first signal cancels ctx; a second one kills as usual
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok || c.run == nil {
		fmt.Fprintf(stderr, "sapar: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return exitUsage
	}
	return c.run(env{ctx: ctx, stdout: stdout, stderr: stderr, args: args[1:], getenv: os.Getenv})
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "sapar — information kiosk for migrants (Migration Resource Centres, Kyrgyzstan and Uzbekistan)")
	fmt.Fprintln(w, "\nUsage: sapar COMMAND [flags]   (sapar COMMAND -h for its flags)\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}

// helpOrNoSubcommand handles what every command with subcommands (content,
// firmware, printer, publish) does first: no subcommand prints usage to
// stderr and fails (exitUsage); -h, --help or help prints it to stdout and
// succeeds. done says the command has nothing more to do.
func helpOrNoSubcommand(e env, usage string) (code int, done bool) {
	if len(e.args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage, true
	}
	switch e.args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, usage)
		return exitOK, true
	}
	return 0, false
}
