using System.Reflection;
using Google.Protobuf.Reflection;
using UnlearnDashboard.Compute.Mapping;
using UnlearnDashboard.Engine.Pipeline;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Tests;

public sealed class DebiasMapperTests
{
    public static TheoryData<Proto.DebiasMethod> Methods => new(Enum.GetValues<Proto.DebiasMethod>());

    /// <summary>
    /// Messages name a method as the CLI's --method does, which must stay the proto value's name without its
    /// prefix, so that a gRPC client can tell which value a message means.
    /// </summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void MethodName_IsProtoNameWithoutPrefix(Proto.DebiasMethod method)
    {
        string protoName = typeof(Proto.DebiasMethod).GetField(method.ToString())!.GetCustomAttribute<OriginalNameAttribute>()!.Name;

        string expected = protoName["DEBIAS_METHOD_".Length..].ToLowerInvariant().Replace('_', '-');

        Assert.Equal(expected, DebiasMethods.Name(DebiasMapper.ToEngine(method)));
    }
}
