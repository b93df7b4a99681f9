// Every test class starts its own server that trains with TorchSharp on all cores; running classes one at
// a time keeps timings such as "cancelled within a second" meaningful on a small machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
