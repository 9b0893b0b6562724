package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// runCmd runs spikego in-process and returns its exit status and output.
func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPlotSurrogates(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name          string
		args          []string
		width, height int
	}{
		{"flags after", []string{"plot", "surrogates", "-o", "OUT", "--width", "640", "--height", "480"}, 640, 480},
		{"flags before", []string{"plot", "-width=500", "-height=400", "-o", "OUT", "surrogates", "--alpha", "3", "--names", "AtanGrad, QGateGrad,heaviside"}, 500, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".png")
			args := slices.Clone(tc.args)
			args[slices.Index(args, "OUT")] = out
			code, stdout, stderr := runCmd(args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stdout, "wrote "+out) {
				t.Errorf("stdout %q does not say what it wrote", stdout)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("%s: %v", out, err)
			}
			if s := img.Bounds().Size(); s.X != tc.width || s.Y != tc.height {
				t.Errorf("image is %v, want %dx%d", s, tc.width, tc.height)
			}
		})
	}
}

func TestUsageAndErrors(t *testing.T) {
	missingDir := filepath.Join(t.TempDir(), "no", "such", "dir", "x.png")
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stdout     string // substring expected on stdout ("" = stdout empty)
		stderr     string // substring expected on stderr ("" = stderr empty)
		notWritten string
	}{
		{"help", []string{"help"}, 0, "Commands:", "", ""},
		{"-h", []string{"-h"}, 0, "plot", "", ""},
		{"--help", []string{"--help"}, 0, "spikego help <command>", "", ""},
		{"no args", nil, 2, "", "Commands:", ""},
		{"unknown command", []string{"frobnicate"}, 2, "", `spikego: unknown command "frobnicate"`, ""},
		{"help unknown", []string{"help", "frobnicate"}, 2, "", "unknown command", ""},
		{"misspelt command", []string{"trian"}, 2, "", `spikego: unknown command "trian" (did you mean "train"?)`, ""},
		{"help plot", []string{"help", "plot"}, 0, "-alpha", "", ""},
		{"plot -h", []string{"plot", "-h"}, 0, "plot surrogates", "", ""},
		{"plot surrogates -h", []string{"plot", "surrogates", "-h"}, 0, "-names", "", ""},
		{"plot nothing", []string{"plot"}, 2, "", "spikego plot: missing the figure", ""},
		{"plot unknown figure", []string{"plot", "weights"}, 2, "", `unknown figure "weights"`, ""},
		{"plot bad flag", []string{"plot", "surrogates", "-frob"}, 2, "", "flag provided but not defined: -frob", ""},
		{"plot bad alpha", []string{"plot", "surrogates", "-alpha", "-1"}, 2, "", "-alpha", ""},
		{"plot bad width", []string{"plot", "surrogates", "-width", "0"}, 2, "", "-width", ""},
		{"plot extra args", []string{"plot", "surrogates", "more"}, 2, "", "unexpected arguments", ""},
		{"plot unknown name", []string{"plot", "surrogates", "-names", "AtanGrad,NoSuchGrad"}, 2, "", `unknown surrogate function "NoSuchGrad"`, ""},
		{"plot unwritable", []string{"plot", "surrogates", "-o", missingDir, "-width", "400", "-height", "300", "-names", "GateGrad"}, 1, "", "spikego: open " + missingDir, missingDir},
		{"plot too small", []string{"plot", "surrogates", "-width", "50", "-height", "50"}, 1, "", "spikego: viz: a 50x50 image is too small", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			check := func(what, got, want string) {
				if want == "" && got != "" {
					t.Errorf("%s not empty:\n%s", what, got)
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s does not contain %q:\n%s", what, want, got)
				}
			}
			check("stdout", stdout, tc.stdout)
			check("stderr", stderr, tc.stderr)
			if tc.notWritten != "" {
				if _, err := os.Stat(tc.notWritten); err == nil {
					t.Errorf("%s written despite the error", tc.notWritten)
				}
			}
		})
	}
}

// TestUsageListsCommands checks that every command of the table is in
// the usage with its summary.
func TestUsageListsCommands(t *testing.T) {
	var b bytes.Buffer
	usage(&b)
	for _, c := range commands() {
		if !strings.Contains(b.String(), c.name+"  ") || !strings.Contains(b.String(), c.summary) {
			t.Errorf("usage does not list %s:\n%s", c.name, b.String())
		}
	}
}

// TestTrainEvalOnSample runs "spikego train" on a slice of the embedded
// sample, then "spikego eval" on its checkpoint, in-process.
func TestTrainEvalOnSample(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	var out, errb bytes.Buffer
	code := run([]string{"train", "--data", "sample", "--train-samples", "256", "--test-samples", "128",
		"--batch", "64", "--out", dir, "--quiet"}, &out, &errb)
	if code != 0 {
		t.Fatalf("train exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"embedded sample", "256 training, 128 test images", "epoch 1/1: train loss", "firing rates lif1", "checkpoint"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("train output lacks %q:\n%s", want, out.String())
		}
	}
	for _, f := range []string{"checkpoint.safetensors", "metrics.jsonl", "curves.png", "raster.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("train did not write %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "optimizer.safetensors")); err == nil {
		t.Error("train wrote a separate optimizer.safetensors: the checkpoint must hold everything")
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"eval", "--checkpoint", dir, "--data", "sample", "--test-samples", "128"}, &out, &errb); code != 0 {
		t.Fatalf("eval exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "test accuracy") || !strings.Contains(out.String(), "128 images") {
		t.Errorf("eval output: %s", out.String())
	}
}

func TestTrainUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"train", "--model", "resnet"},
		{"train", "--surrogate", "NoSuchGrad"},
		{"train", "--epochs", "0"},
		{"train", "--lr", "0"},
		{"train", "--batch", "-3"},
		{"train", "extra"},
		{"eval", "extra"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"train", "--data", t.TempDir() + "/missing", "--out", t.TempDir()}, &out, &errb); code != 1 {
		t.Errorf("missing data dir: exit %d, want 1", code)
	}
	if code := run([]string{"eval", "--checkpoint", t.TempDir()}, &out, &errb); code != 1 {
		t.Errorf("eval without checkpoint: exit %d, want 1", code)
	}
}
