package train_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spikego/spikego/arch"
	"github.com/spikego/spikego/checkpoint"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
	"github.com/spikego/spikego/train"
)

// Example_buildYourOwn builds a three-layer spiking network of one's own
// (784 -> 256 -> 128 -> 10 LIF neurons with SpikingJelly's ATan
// surrogate, T = 4), trains it two epochs with Adam and SpikingJelly's
// MSE-of-rates loss, evaluates it, saves it with its optimizer state,
// loads it into a fresh network and predicts one image: the README's
// "Build your own SNN".
func Example_buildYourOwn() {
	trainSet, _ := dataset.Sample(dataset.Train) // or dataset.Open("", dataset.Train): Fashion-MNIST if installed
	testSet, _ := dataset.Sample(dataset.Test)
	data := train.Data{Train: trainSet, Test: testSet}

	spec := "flatten linear(256) lif(surrogate=ATan) linear(128) lif(surrogate=ATan) linear(10) lif(surrogate=ATan)"
	net, err := arch.BuildString(spec, arch.Options{T: 4, InputShape: []int{1, 28, 28}, Seed: 1})
	if err != nil {
		panic(err)
	}
	opt, _ := optim.NewAdam(nn.ParamVars(net), optim.DefaultAdam())
	tr, err := train.NewWith(train.Setup{Model: net, Optimizer: opt, Loss: nn.MSERate},
		train.Config{Epochs: 2, Batch: 64}, data)
	if err != nil {
		panic(err)
	}
	if err := tr.Run(context.Background(), nil, nil); err != nil {
		panic(err)
	}
	acc, _, _ := train.Evaluate(context.Background(), net, testSet, 256, nil)

	dir, _ := os.MkdirTemp("", "own")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "own.safetensors")
	if err := checkpoint.Save(path, net, opt, nil); err != nil {
		panic(err)
	}
	loaded, _ := arch.BuildString(spec, arch.Options{T: 4, InputShape: []int{1, 28, 28}, Seed: 2})
	if _, err := checkpoint.Load(path, loaded, nil); err != nil {
		panic(err)
	}
	x := tensor.New(1, 1, 28, 28) // test image 0
	testSet.Batch([]int{0}, x.Data(), make([]int, 1))
	pred, _ := loaded.Predict(x)
	want, _ := net.Predict(x)

	fmt.Println("layers:", net.Layers())
	fmt.Println("epochs:", len(tr.History()), "test accuracy above 70%:", acc > 0.7)
	fmt.Println("the loaded network predicts what the trained one does:", pred[0] == want[0], dataset.ClassNames()[pred[0]] != "")
	// Output:
	// layers: [lif1 lif2 lif3]
	// epochs: 2 test accuracy above 70%: true
	// the loaded network predicts what the trained one does: true true
}
