using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Commands.Debias;

/// <summary>A parsed <c>unlearn debias</c> command line.</summary>
/// <param name="Request">The debias request; with <paramref name="Upload"/> its dataset and version are filled in after training.</param>
/// <param name="Upload">Set with --data: the files to upload and the model to train first.</param>
/// <param name="JsonPath">File for the result as protobuf JSON, "-" for stdout, or null.</param>
internal sealed record DebiasSettings(string Server, DebiasRequest Request, UploadSettings? Upload, string? JsonPath);

/// <summary>Files and settings for uploading a dataset and training a model on it.</summary>
/// <param name="Spec">Dataset spec; an empty name is derived from the files.</param>
internal sealed record UploadSettings(string TrainPath, string? TestPath, DatasetSpec Spec, ModelSettings ModelSettings);
