// Every test class starts its own server, and its jobs train with TorchSharp on all cores. Running the
// classes one at a time keeps timings such as "cancelled within a second" meaningful on a small machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
