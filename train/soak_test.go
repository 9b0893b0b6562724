package train

import (
	"context"
	"runtime"
	"testing"
)

// TestSoak trains each reference model for 1,000 steps and requires the
// live heap after the last step to be no larger than after warm-up (step
// 100), give or take 4 MB: nothing may accumulate from step to step.
func TestSoak(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("the soak test is left out of -short and -race runs")
	}
	data := sampleData(t)
	for _, tc := range []struct {
		model string
		batch int
	}{{"mlp", 8}, {"cnn", 4}} {
		t.Run(tc.model, func(t *testing.T) {
			const steps = 1000
			cfg := Config{Model: tc.model, Batch: tc.batch, TrainSamples: 250 * tc.batch, TestSamples: 16, Epochs: 4, Seed: 1}
			tr, err := New(cfg, data)
			if err != nil {
				t.Fatal(err)
			}
			heap := func() uint64 {
				runtime.GC()
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				return ms.HeapAlloc
			}
			n := 0
			var warm, last uint64
			err = tr.Run(context.Background(), func(p Progress) {
				if p.Phase != "train" {
					return
				}
				n++
				switch n {
				case 100:
					warm = heap()
				case steps:
					last = heap()
				}
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if n != steps {
				t.Fatalf("%d steps, want %d", n, steps)
			}
			t.Logf("live heap after step 100: %.1f MB, after step %d: %.1f MB", float64(warm)/(1<<20), steps, float64(last)/(1<<20))
			if last > warm+4<<20 {
				t.Errorf("the live heap grew from %d to %d bytes over %d steps", warm, last, steps-100)
			}
		})
	}
}
