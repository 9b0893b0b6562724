// Command spikego is the command-line front end of spikego, a pure-Go port
// of BrainCog's spiking neural networks.
//
// Usage:
//
//	spikego <command> [arguments]
//
// Run "spikego help" for the list of commands and "spikego help <command>"
// for a command's arguments.
//
// Each command lives in a file of its own and is listed in the table
// returned by commands; the work itself belongs in the project's packages,
// not here.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spikego/spikego/internal/suggest"
)

// command is one subcommand of spikego.
type command struct {
	// name is the word that selects the command.
	name string
	// summary is the one line that the usage lists.
	summary string
	// run runs the command with the arguments after its name. A
	// *usageError means bad arguments (or a request for help); any other
	// error is a failure of the work itself.
	run func(args []string, stdout, stderr io.Writer) error
}

// commands returns spikego's subcommands, in the order the usage lists
// them. To add one, write its file (see plot.go) and add a line here.
func commands() []command {
	return []command{
		{"train", "train a spiking network on Fashion-MNIST (BPTT), with metrics and checkpoints", runTrain},
		{"eval", "evaluate a checkpoint on the test set", runEval},
		{"stdp", "train BrainCog's unsupervised STDP network (no labels; voting readout) on Fashion-MNIST", runSTDP},
		{"plot", "draw figures (surrogates: the surrogate spike functions)", runPlot},
		{"bench", "measure training and inference speed, memory and accuracy beside the PyTorch peer", runBench},
	}
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run runs spikego with the arguments after the program name and returns
// the exit status: 0 on success or help, 1 when the work fails, 2 for bad
// usage.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if name == "help" && len(rest) > 0 {
			// "spikego help plot" is "spikego plot -h".
			name, rest = rest[0], []string{"-h"}
			break
		}
		usage(stdout)
		return 0
	}
	for _, cmd := range commands() {
		if cmd.name != name {
			continue
		}
		err := cmd.run(rest, stdout, stderr)
		var ue *usageError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ue) && ue.err == nil:
			ue.usage(stdout)
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "spikego %s: %v\n", name, ue.err)
			ue.usage(stderr)
			return 2
		}
		fmt.Fprintf(stderr, "spikego: %v\n", err)
		return 1
	}
	var names []string
	for _, cmd := range commands() {
		names = append(names, cmd.name)
	}
	fmt.Fprintf(stderr, "spikego: unknown command %q%s\n", name, suggest.Hint(name, names))
	usage(stderr)
	return 2
}

// usage writes spikego's usage, with the table of commands, to w.
func usage(w io.Writer) {
	cmds := commands()
	width := len("help")
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	var b strings.Builder
	b.WriteString("spikego: spiking neural networks in pure Go (a port of BrainCog)\n\n")
	b.WriteString("Usage:\n\n\tspikego <command> [arguments]\n\nCommands:\n\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "\t%-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(&b, "\t%-*s  %s\n", width, "help", "show this help, or a command's (spikego help <command>)")
	b.WriteString("\nRun 'spikego help <command>' for a command's arguments.\n")
	io.WriteString(w, b.String())
}

// usageError reports bad arguments to a command, or, with a nil err, a
// request for its help. usage writes the command's usage.
type usageError struct {
	err   error
	usage func(io.Writer)
}

func (e *usageError) Error() string {
	if e.err == nil {
		return "help requested"
	}
	return e.err.Error()
}

func (e *usageError) Unwrap() error { return e.err }

// newFlagSet returns a flag set for the named command that prints
// nothing itself: parseFlags returns its errors as a *usageError, and
// flagUsage writes its usage.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("spikego "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// flagUsage returns a function that writes the usage of a command: its
// synopsis lines, a description and its flags.
func flagUsage(fs *flag.FlagSet, synopsis []string, description string) func(io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, "Usage:\n\n")
		for _, s := range synopsis {
			fmt.Fprintf(w, "\tspikego %s\n", s)
		}
		if description != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimRight(description, "\n"))
		}
		var has bool
		fs.VisitAll(func(*flag.Flag) { has = true })
		if has {
			io.WriteString(w, "\nFlags:\n\n")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
}

// parseFlags parses args with fs; a parse error or -h becomes a
// *usageError that writes usage.
func parseFlags(fs *flag.FlagSet, args []string, usage func(io.Writer)) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		return &usageError{usage: usage}
	}
	// "flag provided but not defined: -frob": suggest the nearest flag.
	if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		err = fmt.Errorf("%w%s", err, suggest.Hint(strings.TrimPrefix(name, "-"), names))
	}
	return &usageError{err: err, usage: usage}
}
