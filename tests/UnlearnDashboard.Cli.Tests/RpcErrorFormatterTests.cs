using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using UnlearnDashboard.Cli.Output;

namespace UnlearnDashboard.Cli.Tests;

public sealed class RpcErrorFormatterTests
{
    [Fact]
    public void Write_BadRequest_ListsFieldViolations()
    {
        var badRequest = new BadRequest
        {
            FieldViolations =
            {
                new BadRequest.Types.FieldViolation { Field = "remove_fraction", Description = "must be in (0, 0.5], got 0.9" },
                new BadRequest.Types.FieldViolation { Field = "layers[0]", Description = "no linear layer named fc9" },
            },
        };
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = "invalid debias request",
            Details = { Any.Pack(badRequest) },
        };
        var error = new StringWriter();

        RpcErrorFormatter.Write(status.ToRpcException(), error);

        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("error: INVALID_ARGUMENT: invalid debias request", lines[0]);
        Assert.Equal("  remove_fraction: must be in (0, 0.5], got 0.9", lines[1]);
        Assert.Equal("  layers[0]: no linear layer named fc9", lines[2]);
    }

    [Fact]
    public void Write_DebiasFields_NameTheFlags()
    {
        const string detail = "Method counterfactual-replacement ignores counterfactual_weight (2); only counterfactual-fine-tune and data-free read it.";
        var badRequest = new BadRequest
        {
            FieldViolations =
            {
                new BadRequest.Types.FieldViolation { Field = "counterfactual_weight", Description = detail },
                new BadRequest.Types.FieldViolation { Field = "layers[1]", Description = "no linear layer named fc9" },
                new BadRequest.Types.FieldViolation { Field = "spec.name", Description = "taken" },
            },
        };
        var status = new Google.Rpc.Status { Code = (int)Code.InvalidArgument, Message = detail, Details = { Any.Pack(badRequest) } };
        var error = new StringWriter();

        RpcErrorFormatter.Write(status.ToRpcException(), error, flagsByField: Commands.Debias.DebiasCommand.FlagsByField);

        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("  field: counterfactual_weight (--mu)", lines[1]);
        Assert.Equal("  layers[1] (--layers): no linear layer named fc9", lines[2]);
        Assert.Equal("  spec.name: taken", lines[3]);
    }

    [Fact]
    public void FlagsByField_AreDebiasFlags()
    {
        var command = Commands.Debias.DebiasCommand.Create(CliConsole.ForWriters(TextWriter.Null, TextWriter.Null));
        var flags = command.Options.Select(option => option.Name).ToHashSet();

        Assert.All(Commands.Debias.DebiasCommand.FlagsByField.Values, flag => Assert.Contains(flag, flags));
        Assert.All(Commands.Debias.DebiasCommand.FlagsByField.Keys, field => Assert.True(
            Protos.V1.DebiasRequest.Descriptor.FindFieldByName(field) is not null
            || Protos.V1.DatasetSpec.Descriptor.FindFieldByName(field) is not null
            || field is "train_file" or "test_file",
            $"{field} is neither a DebiasRequest nor a DatasetSpec field, nor a file role"));
    }

    [Theory]
    [InlineData(StatusCode.Unauthenticated, "UNAUTHENTICATED", "--api-key or UNLEARN_API_KEY")]
    [InlineData(StatusCode.PermissionDenied, "PERMISSION_DENIED", "'unlearn whoami' shows the role")]
    public void Write_AccessFailure_SaysHowToGetKey(StatusCode code, string name, string hint)
    {
        var error = new StringWriter();

        RpcErrorFormatter.Write(new RpcException(new Grpc.Core.Status(code, "denied")), error);

        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"error: {name}: denied", lines[0]);
        Assert.Contains(hint, lines[1]);
    }

    [Fact]
    public void Write_ViolationRepeatingDetail_NamesOnlyTheField()
    {
        const string detail = "Line 3 of train.csv has 2 fields, but the header has 3.";
        var badRequest = new BadRequest
        {
            FieldViolations = { new BadRequest.Types.FieldViolation { Field = "train_file", Description = detail } },
        };
        var status = new Google.Rpc.Status { Code = (int)Code.InvalidArgument, Message = detail, Details = { Any.Pack(badRequest) } };
        var error = new StringWriter();

        RpcErrorFormatter.Write(status.ToRpcException(), error);

        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"error: INVALID_ARGUMENT: {detail}", lines[0]);
        Assert.Equal("  field: train_file", lines[1]);
    }

    [Fact]
    public void Write_HandshakeFailedWithoutRejection_BlamesNoCertificate()
    {
        var handshake = new HttpRequestException("The SSL connection could not be established, see inner exception.",
            new System.Security.Authentication.AuthenticationException("Cannot determine the frame size or a corrupted frame was received."));
        var exception = new RpcException(new Grpc.Core.Status(StatusCode.Internal, "Error starting gRPC call.", handshake));
        var error = new StringWriter();

        RpcErrorFormatter.Write(exception, error, tlsRejection: null);

        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("corrupted frame", lines[0]);
        Assert.Contains("failed before its certificate was checked", lines[1]);
        Assert.DoesNotContain("not trusted", lines[1]);
    }

    [Fact]
    public void Write_PlainStatus_WritesOneLine()
    {
        var exception = new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "dataset 'adult' not found"));
        var error = new StringWriter();

        RpcErrorFormatter.Write(exception, error);

        Assert.Equal($"error: NOT_FOUND: dataset 'adult' not found{Environment.NewLine}", error.ToString());
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, ExitCodes.UsageError)]
    [InlineData(StatusCode.NotFound, ExitCodes.UsageError)]
    [InlineData(StatusCode.FailedPrecondition, ExitCodes.UsageError)]
    [InlineData(StatusCode.AlreadyExists, ExitCodes.UsageError)]
    [InlineData(StatusCode.Unavailable, ExitCodes.Failure)]
    [InlineData(StatusCode.Internal, ExitCodes.Failure)]
    [InlineData(StatusCode.Unknown, ExitCodes.Failure)]
    public void ExitCodeFor_Status_MapsBadInputToUsageError(StatusCode statusCode, int expectedExitCode)
    {
        var exitCode = RpcErrorFormatter.ExitCodeFor(statusCode);

        Assert.Equal(expectedExitCode, exitCode);
    }

    [Theory]
    [InlineData(StatusCode.OK, "OK")]
    [InlineData(StatusCode.InvalidArgument, "INVALID_ARGUMENT")]
    [InlineData(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED")]
    [InlineData(StatusCode.Unavailable, "UNAVAILABLE")]
    public void StatusName_Code_IsCanonical(StatusCode statusCode, string expectedName)
    {
        var name = RpcErrorFormatter.StatusName(statusCode);

        Assert.Equal(expectedName, name);
    }
}
