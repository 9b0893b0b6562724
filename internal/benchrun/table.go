package benchrun

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// figure is one row of the table: how to read it from a record, how to
// print it, and whether more is better (for the ratio; no ratio when
// ratio is false).
type figure struct {
	label  string
	value  func(Record) float64
	format func(float64) string
	ratio  bool
	higher bool
}

var figures = []figure{
	{"train samples/s, after warm-up", func(r Record) float64 { return r.TrainSamplesPerS }, formatRate, true, true},
	{"train samples/s, whole run", func(r Record) float64 { return r.TrainAvgSamplesPerS }, formatRate, true, true},
	{"inference samples/s, after warm-up", func(r Record) float64 { return r.InferSamplesPerS }, formatRate, true, true},
	{"inference samples/s, whole run", func(r Record) float64 { return r.InferAvgSamplesPerS }, formatRate, true, true},
	{"test accuracy", func(r Record) float64 { return r.TestAcc }, formatAcc, false, true},
	{"peak RSS MB", func(r Record) float64 { return r.PeakRSSMB }, formatMB, true, false},
	{"process wall time s", func(r Record) float64 { return r.WallS }, formatSeconds, true, false},
}

// columns returns the columns of the report's table: spikego, then the
// peer's settings if it ran.
func (r *Report) columns() []column {
	cols := []column{{Spikego, ""}}
	if r.Peer != nil {
		cols = append(cols, column{Peer, SettingPassive}, column{Peer, SettingDefault})
	}
	return cols
}

// Summary returns the summary of one figure of the runs of program and
// setting on model; f reads the figure from a record.
func (r *Report) Summary(model, program, setting string, f func(Record) float64) Summary {
	var xs []float64
	for _, rec := range r.Records {
		if rec.Model == model && rec.Program == program && rec.Setting == setting {
			xs = append(xs, f(rec))
		}
	}
	return Summarize(xs)
}

// spikegoThreads returns the GOMAXPROCS of spikego's runs ("2", or
// "1, 2" if they differ), "" if unknown.
func (r *Report) spikegoThreads() string {
	var seen []string
	for _, rec := range r.Records {
		if rec.Program == Spikego && rec.Threads > 0 {
			if t := strconv.Itoa(rec.Threads); !slices.Contains(seen, t) {
				seen = append(seen, t)
			}
		}
	}
	return strings.Join(seen, ", ")
}

// otherCPU returns the median and maximum over the runs of the CPUs that
// other processes used, ok false where unknown.
func (r *Report) otherCPU() (med, mx float64, ok bool) {
	var xs []float64
	for _, rec := range r.Records {
		if rec.OtherCPU != nil {
			xs = append(xs, *rec.OtherCPU)
		}
	}
	if len(xs) == 0 {
		return 0, 0, false
	}
	s := Summarize(xs)
	return s.Median, s.Max, true
}

// Markdown returns the report as Markdown: a few lines on the machine,
// the data and the definitions, then one table with a column per
// program and setting and the ratio of spikego to the better peer
// setting.
func (r *Report) Markdown() string {
	var b strings.Builder
	commit := r.Commit
	if commit == "" {
		commit = "unknown"
	}
	if r.Modified {
		commit += " with uncommitted changes"
	}
	fmt.Fprintf(&b, "spikego bench, %s, commit %s\n\n", r.Date.Format("2006-01-02 15:04 UTC"), commit)
	cpu := r.CPU
	if cpu == "" {
		cpu = "CPU model unknown"
	}
	fmt.Fprintf(&b, "- Machine: %s, %d CPUs (%s), %s, %s.", cpu, r.NumCPU, r.CPUFeatures, r.Platform, r.Go)
	if r.LoadStart != nil {
		fmt.Fprintf(&b, " Load average %s at the start", formatLoad(*r.LoadStart))
		if r.LoadEnd != nil {
			fmt.Fprintf(&b, ", %s at the end", formatLoad(*r.LoadEnd))
		}
		b.WriteString(".")
	}
	med, mx, okOther := r.otherCPU()
	if okOther {
		fmt.Fprintf(&b, " Other processes used %.2f CPUs during a run (median of the runs; at most %.2f).", med, mx)
	}
	b.WriteString("\n")
	var trainN []string
	for _, m := range r.Models {
		trainN = append(trainN, fmt.Sprintf("%s %s", m, formatInt(r.TrainSamples[m])))
	}
	fmt.Fprintf(&b, "- Data: %s", r.Data)
	if r.DataNote != "" {
		fmt.Fprintf(&b, " (%s)", r.DataNote)
	}
	fmt.Fprintf(&b, ". Training images: %s (one pass); test images: %s.\n", strings.Join(trainN, ", "), formatInt(r.TestSamples))
	if th := r.spikegoThreads(); th != "" {
		fmt.Fprintf(&b, "- spikego: GOMAXPROCS %s.\n", th)
	}
	if r.Peer != nil {
		fmt.Fprintf(&b, "- Peer: %s, PyTorch %s on Python %s, %d threads; PASSIVE with OMP_WAIT_POLICY=PASSIVE, default without it.\n",
			r.Peer.Script, r.Peer.Torch, r.Peer.PythonVersion, r.Peer.Threads)
	}
	if r.PeerMissing != "" {
		if r.Peer == nil {
			fmt.Fprintf(&b, "- **spikego only**: the PyTorch peer was %s.\n", r.PeerMissing)
		} else {
			fmt.Fprintf(&b, "- **Peer incomplete**: %s.\n", r.PeerMissing)
		}
	}
	if r.Runs == 1 {
		b.WriteString("- Each figure is from one run in a process of its own, the programs taking turns. ")
	} else {
		fmt.Fprintf(&b, "- Each figure is the median of %d runs (minimum–maximum), each in a process of its own, the programs taking turns. ", r.Runs)
	}
	b.WriteString("After warm-up: the median throughput of windows of full batches after the first batches (")
	var ps []string
	for _, m := range r.Models {
		p := r.Protocols[m]
		ps = append(ps, fmt.Sprintf("%s: training %d steps, then windows of %d; test %d batches, then windows of %d", m, p.Warmup, p.Window, p.InferWarmup, p.InferWindow))
	}
	b.WriteString(strings.Join(ps, "; "))
	b.WriteString("). Whole run: all samples over the summed step times. Peak RSS: the process' ru_maxrss")
	if r.Peer != nil {
		b.WriteString(" (for the peer, Python and torch included). Ratio: spikego over the better peer setting (the faster; for RSS and wall time the smaller)")
	}
	b.WriteString(".\n")
	if r.provisional(med, okOther) {
		b.WriteString("- **Provisional**: the machine was busy during the measurement; the throughputs are pessimistic and the ratios uncertain.\n")
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- Note: %s.\n", n)
	}
	b.WriteString("\n")

	cols := r.columns()
	b.WriteString("| |")
	for _, c := range cols {
		fmt.Fprintf(&b, " %s |", strings.TrimSpace(c.program+" "+c.setting))
	}
	if r.Peer != nil {
		b.WriteString(" spikego / best peer |")
	}
	b.WriteString("\n|---|")
	for range cols {
		b.WriteString("---:|")
	}
	if r.Peer != nil {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, m := range r.Models {
		fmt.Fprintf(&b, "| **%s**, %s training images |", m, formatInt(r.TrainSamples[m]))
		for range cols {
			b.WriteString(" |")
		}
		if r.Peer != nil {
			b.WriteString(" |")
		}
		b.WriteString("\n")
		for _, f := range figures {
			fmt.Fprintf(&b, "| %s |", f.label)
			var sums []Summary
			for _, c := range cols {
				s := r.Summary(m, c.program, c.setting, f.value)
				sums = append(sums, s)
				fmt.Fprintf(&b, " %s |", formatSummary(s, f.format))
			}
			if r.Peer != nil {
				fmt.Fprintf(&b, " %s |", formatRatio(f, sums[0], sums[1:]))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// provisional tells whether other work took a noticeable share of the
// machine: other processes used more than a fifth of a CPU in the median
// run, or, where that is unknown, the load average exceeded the number
// of CPUs.
func (r *Report) provisional(otherMedian float64, okOther bool) bool {
	if okOther {
		return otherMedian > 0.2
	}
	return r.LoadStart != nil && r.LoadStart[0] > float64(r.NumCPU)
}

// formatRatio returns spikego's median over the best peer median, "" for
// figures without a ratio, "–" when a side is missing.
func formatRatio(f figure, sg Summary, peers []Summary) string {
	if !f.ratio {
		return ""
	}
	best := math.NaN()
	for _, p := range peers {
		if p.N == 0 {
			continue
		}
		if math.IsNaN(best) || (f.higher && p.Median > best) || (!f.higher && p.Median < best) {
			best = p.Median
		}
	}
	if sg.N == 0 || math.IsNaN(best) || best == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2fx", sg.Median/best)
}

// formatSummary prints the median and, if the runs differ once printed,
// their range.
func formatSummary(s Summary, format func(float64) string) string {
	if s.N == 0 {
		return "–"
	}
	med, lo, hi := format(s.Median), format(s.Min), format(s.Max)
	if s.N == 1 || lo == hi {
		return med
	}
	return fmt.Sprintf("%s (%s–%s)", med, lo, hi)
}

// formatRate prints a throughput: a whole number with thousands
// separators from 100 up, one decimal below.
func formatRate(v float64) string {
	if math.Abs(v) >= 100 {
		return formatInt(int(math.Round(v)))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// formatMB prints a size in MB as a whole number.
func formatMB(v float64) string { return formatInt(int(math.Round(v))) }

func formatAcc(v float64) string { return fmt.Sprintf("%.2f%%", 100*v) }

func formatSeconds(v float64) string { return fmt.Sprintf("%.1f", v) }

func formatLoad(l [3]float64) string { return fmt.Sprintf("%.2f / %.2f / %.2f", l[0], l[1], l[2]) }

// formatInt prints n with commas between groups of three digits.
func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
