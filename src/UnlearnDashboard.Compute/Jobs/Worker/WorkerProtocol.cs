using Google.Protobuf;
using UnlearnDashboard.Engine;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;
using Wire = UnlearnDashboard.Protos.Worker.V1;

namespace UnlearnDashboard.Compute.Jobs.Worker;

/// <summary>
/// Length-delimited protobuf framing of the worker protocol (a varint size, then the message, as
/// <see cref="MessageExtensions.WriteDelimitedTo"/> writes it) and the conversions both sides share.
/// </summary>
internal static class WorkerProtocol
{
    /// <summary>Largest message either side accepts, in bytes; a job's result is far smaller.</summary>
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    public static async Task WriteAsync(Stream stream, IMessage message, CancellationToken cancellationToken)
    {
        byte[] frame;
        using (var buffer = new MemoryStream())
        {
            message.WriteDelimitedTo(buffer);
            frame = buffer.ToArray();
        }

        await stream.WriteAsync(frame, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads the next message, or returns null at the end of the stream.</summary>
    public static async Task<T?> ReadAsync<T>(Stream stream, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        int? size = await ReadSizeAsync(stream, cancellationToken);
        if (size is null)
            return null;

        var payload = new byte[size.Value];
        await stream.ReadExactlyAsync(payload, cancellationToken);
        return parser.ParseFrom(payload);
    }

    private static async Task<int?> ReadSizeAsync(Stream stream, CancellationToken cancellationToken)
    {
        var one = new byte[1];
        long size = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return shift == 0
                    ? null
                    : throw new EndOfStreamException("The worker protocol stream ended inside a message size.");
            }

            size |= (long)(one[0] & 0x7F) << shift;
            if ((one[0] & 0x80) == 0)
            {
                return size <= MaxMessageBytes
                    ? (int)size
                    : throw new InvalidDataException($"A worker protocol message of {size} bytes exceeds the limit of {MaxMessageBytes} bytes.");
            }
        }

        throw new InvalidDataException("A worker protocol message size is longer than 5 bytes.");
    }

    public static Proto.JobProgress ToProto(ProgressUpdate update) =>
        JobEvents.Progress("", 0, DateTimeOffset.UnixEpoch, update).Progress;

    public static ProgressUpdate ToUpdate(Proto.JobProgress progress)
    {
        LiveMetrics? metrics = null;
        if (progress.Metrics is { } live)
        {
            metrics = new LiveMetrics
            {
                Step = live.Step,
                Accuracy = live.HasAccuracy ? live.Accuracy : null,
                DemographicParityDifference = live.HasDemographicParityDifference ? live.DemographicParityDifference : null,
                BiasObjective = live.HasBiasObjective ? live.BiasObjective : null,
                Loss = live.HasLoss ? live.Loss : null,
                SelectionRates = new Dictionary<string, double>(live.SelectionRates),
            };
        }

        return new ProgressUpdate(progress.Phase, progress.Fraction, progress.Message, metrics);
    }

    public static Wire.WorkerError ToError(EngineException error) => new()
    {
        Kind = error.Kind switch
        {
            EngineErrorKind.InvalidArgument => Wire.ErrorKind.InvalidArgument,
            EngineErrorKind.FailedPrecondition => Wire.ErrorKind.FailedPrecondition,
            EngineErrorKind.DataLoss => Wire.ErrorKind.DataLoss,
            _ => Wire.ErrorKind.Internal,
        },
        Field = error.Field,
        Message = error.Message,
        Value = error.Value ?? "",
    };

    /// <summary>Returns the engine error a worker reported, or null for a kind that is not one.</summary>
    public static EngineException? ToEngineException(Wire.WorkerError error)
    {
        EngineErrorKind? kind = error.Kind switch
        {
            Wire.ErrorKind.InvalidArgument => EngineErrorKind.InvalidArgument,
            Wire.ErrorKind.FailedPrecondition => EngineErrorKind.FailedPrecondition,
            Wire.ErrorKind.DataLoss => EngineErrorKind.DataLoss,
            _ => null,
        };
        return kind is { } known
            ? new EngineException(known, error.Field, error.Message, string.IsNullOrEmpty(error.Value) ? null : error.Value)
            : null;
    }
}
