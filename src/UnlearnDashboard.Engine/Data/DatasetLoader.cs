namespace UnlearnDashboard.Engine.Data;

/// <summary>Reads, validates and splits a CSV dataset.</summary>
public static class DatasetLoader
{
    /// <summary>
    /// Loads a dataset from a training CSV and an optional test CSV. Without a test file the training file is
    /// split into train, validation and test; with one it is split into train and validation.
    /// </summary>
    public static PreparedDataset Load(
        DatasetDefinition definition,
        Stream trainCsv,
        string trainSource,
        Stream? testCsv = null,
        string? testSource = null)
    {
        // TODO: implemented by the data layer.
        throw new NotImplementedException();
    }
}
