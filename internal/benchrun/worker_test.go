package benchrun

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestWorkerMain runs spikego's side of a measurement in-process on 256
// images of the embedded sample and checks what it reports.
func TestWorkerMain(t *testing.T) {
	var out bytes.Buffer
	if err := WorkerMain(context.Background(), []string{"-model", "mlp", "-train-samples", "256", "-data", "sample"}, &out); err != nil {
		t.Fatal(err)
	}
	var r rawRun
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if r.Model != "mlp" || r.Batch != 128 || r.TrainSamples != 256 || r.TestSamples != 1000 {
		t.Errorf("model %s, batch %d, train %d, test %d", r.Model, r.Batch, r.TrainSamples, r.TestSamples)
	}
	if !slices.Equal(r.TrainStepSizes, []int{128, 128}) {
		t.Errorf("training steps %v, want two of 128", r.TrainStepSizes)
	}
	// 1000 test images in batches of 128: seven full ones and 104.
	if want := []int{128, 128, 128, 128, 128, 128, 128, 104}; !slices.Equal(r.InferBatchSizes, want) {
		t.Errorf("test batches %v, want %v", r.InferBatchSizes, want)
	}
	for _, d := range append(slices.Clone(r.TrainStepTimes), r.InferBatchTimes...) {
		if !(d > 0) {
			t.Errorf("a duration is %v: %v %v", d, r.TrainStepTimes, r.InferBatchTimes)
			break
		}
	}
	// The step durations are the differences of the summed step time
	// that train reports after every batch: they add up to train's own
	// whole-epoch figure.
	if got, want := AverageRate(r.TrainStepSizes, r.TrainStepTimes), r.MetricsTrainPerSec; math.Abs(got-want) > 1e-6*want {
		t.Errorf("the step durations give %v samples/s, train's metrics %v", got, want)
	}
	if r.TestAcc < 0 || r.TestAcc > 1 || len(r.FiringRates) != 2 {
		t.Errorf("test accuracy %v, firing rates %v", r.TestAcc, r.FiringRates)
	}
}

func TestWorkerMainErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", "resnet", "-data", "sample"}, "unknown model"},
		{[]string{"-model", "mlp"}, "-data is required"},
		{[]string{"-model", "mlp", "-data", "sample", "extra"}, "unexpected arguments"},
		{[]string{"-frob"}, "flag provided but not defined"},
	} {
		err := WorkerMain(context.Background(), tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
