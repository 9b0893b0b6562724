package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spikego/spikego/train"
)

// progressBar renders train.Progress on one terminal line, redrawn at most
// ten times a second. When the output is not a terminal it prints a plain
// line every ten percent instead.
type progressBar struct {
	w         io.Writer
	quiet     bool
	tty       bool
	last      time.Time
	lastTenth int
	shown     bool
}

func newProgressBar(w io.Writer, quiet bool) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, quiet: quiet, tty: tty, lastTenth: -1}
}

func (b *progressBar) update(p train.Progress) {
	if b.quiet || p.Batches == 0 {
		return
	}
	done := p.Batch == p.Batches
	if !b.tty {
		tenth := 10 * p.Batch / p.Batches
		if tenth == b.lastTenth || p.Phase != "train" {
			return
		}
		b.lastTenth = tenth
		if done {
			b.lastTenth = -1
		}
		fmt.Fprintf(b.w, "%s\n", b.line(p, false))
		return
	}
	if !done && time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last = time.Now()
	fmt.Fprintf(b.w, "\r\x1b[K%s", b.line(p, true))
	b.shown = true
}

func (b *progressBar) line(p train.Progress, bar bool) string {
	var s strings.Builder
	fmt.Fprintf(&s, "epoch %d/%d %-5s ", p.Epoch, p.Epochs, p.Phase)
	if bar {
		const width = 24
		filled := width * p.Batch / p.Batches
		s.WriteString("[" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "] ")
	}
	fmt.Fprintf(&s, "%d/%d", p.Batch, p.Batches)
	if p.Phase == "train" {
		fmt.Fprintf(&s, " loss %.4f", p.Loss)
	}
	fmt.Fprintf(&s, " acc %.2f%% %.0f items/s ETA %s", 100*p.Acc, p.SamplesPerSec, p.ETA.Round(time.Second))
	return s.String()
}

// clear erases the bar before other output.
func (b *progressBar) clear() {
	if b.shown {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.shown = false
	}
}
