package train

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/models"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

// checkMemory estimates the memory one training step of cfg's model needs
// with batch samples and returns an error when it exceeds the memory the
// machine has available, instead of letting the step die for lack of
// memory. The estimate is the memory a step at T = 1 allocates per
// sample, measured on a copy of the model, times T and the batch size; it
// errs on the high side, since not all of it is live at once. Where the
// available memory cannot be read (outside Linux), nothing is checked.
func checkMemory(cfg Config, batch int) error {
	avail, ok := availableMemory()
	if !ok {
		return nil
	}
	perStep, err := stepBytesPerSample(cfg)
	if err != nil {
		return err
	}
	need := float64(perStep) * float64(cfg.T) * float64(batch)
	if need > float64(avail) {
		return fmt.Errorf("T=%d with batch %d needs about %s for one step of model %s (%s per sample and time step), more than the %s of memory available; lower T or the batch size",
			cfg.T, batch, formatBytes(need), cfg.Model, formatBytes(float64(perStep)), formatBytes(float64(avail)))
	}
	return nil
}

// stepBytesPerSample measures the bytes a training step of cfg's model at
// T = 1 allocates per sample: the difference between batches of 9 and 1,
// divided by 8, so that costs that do not grow with the batch cancel.
func stepBytesPerSample(cfg Config) (uint64, error) {
	probe := cfg
	probe.T = 1
	m, err := buildModel(probe)
	if err != nil {
		return 0, err
	}
	alloc := func(b int) (uint64, error) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		x := tensor.New(append([]int{b}, m.InputShape()...)...)
		out, err := m.Forward(autograd.Const(x))
		if err != nil {
			return 0, err
		}
		loss, err := nn.CrossEntropy(models.Rates(out), make([]int, b))
		if err != nil {
			return 0, err
		}
		if err := autograd.Backward(loss, nil); err != nil {
			return 0, err
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, nil
	}
	// Warm up pools and lazily sized buffers, then take the smallest of
	// two measurements of each size: the allocations of a step vary a
	// little with what the pools still hold.
	const small, large = 1, 9
	if _, err := alloc(large); err != nil {
		return 0, fmt.Errorf("train: measuring model %s: %w", cfg.Model, err)
	}
	least := func(b int) (uint64, error) {
		x, err := alloc(b)
		if err != nil {
			return 0, err
		}
		y, err := alloc(b)
		return min(x, y), err
	}
	lo, err := least(small)
	if err != nil {
		return 0, err
	}
	hi, err := least(large)
	if err != nil {
		return 0, err
	}
	if hi <= lo {
		// Pools served the larger batch: fall back to the larger batch's
		// whole cost per sample, an overestimate.
		return hi / large, nil
	}
	return (hi - lo) / (large - small), nil
}

// availableMemory returns MemAvailable from /proc/meminfo, in bytes.
func availableMemory() (uint64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

func formatBytes(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f kB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}
