using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace UnlearnDashboard.Engine.Tests.Numerics;

/// <summary>A call from an assembly's method to a member that creates a temporary TorchSharp Scalar.</summary>
public sealed record ScalarConversionCall(string Caller, string Callee)
{
    public override string ToString() => $"{Caller} calls {Callee}";
}

/// <summary>
/// Finds, by reading IL, the calls that let a temporary <c>TorchSharp.Scalar</c> reach libtorch: implicit
/// conversions from a number, and calls to TorchSharp members whose own IL converts a number, directly or
/// through other TorchSharp members (for example <c>Tensor.op_Addition(Tensor, Tensor)</c>, which passes alpha 1).
/// </summary>
/// <remarks>
/// Virtual calls are resolved to the declaring method only, so an override that converts (an optimizer's
/// <c>step</c>) is not followed. Instead <see cref="FindCalls"/> also reports every call that returns or
/// constructs a TorchSharp type other than Tensor, Parameter and Scalar that has such a member.
/// </remarks>
public sealed class ScalarConversionScanner
{
    private static readonly string[] TypesCheckedAtCallSites =
        ["TorchSharp.torch+Tensor", "TorchSharp.Modules.Parameter", "TorchSharp.Scalar"];

    private readonly HashSet<string> _converting;
    private readonly HashSet<string> _convertingTypes;

    private ScalarConversionScanner(HashSet<string> converting)
    {
        _converting = converting;
        _convertingTypes = converting
            .Select(member => member[..member.IndexOf("::", StringComparison.Ordinal)])
            .Where(type => !TypesCheckedAtCallSites.Contains(type))
            .ToHashSet();
    }

    /// <summary>Members of the TorchSharp assembly that convert a number to a Scalar, directly or through others.</summary>
    public IReadOnlySet<string> ConvertingMembers => _converting;

    /// <summary>Reads the TorchSharp assembly that the tests load.</summary>
    public static ScalarConversionScanner ForTorchSharp()
    {
        using var torchSharp = new AssemblyIl(typeof(TorchSharp.Scalar).Assembly.Location);
        var callees = torchSharp.Methods().ToDictionary(method => method.Name, method => method.Callees.ToList());

        var converting = callees.Keys.Where(IsConversion).ToHashSet();
        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach (var (member, calls) in callees)
            {
                if (!converting.Contains(member) && calls.Any(converting.Contains))
                    grew = converting.Add(member);
            }
        }

        return new ScalarConversionScanner(converting);
    }

    /// <summary>Lists every call in <paramref name="path"/>'s methods that lets a temporary Scalar reach libtorch.</summary>
    public IReadOnlyList<ScalarConversionCall> FindCalls(string path)
    {
        using var assembly = new AssemblyIl(path);
        var calls = new List<ScalarConversionCall>();
        foreach (var method in assembly.Methods())
        {
            foreach (var callee in method.Callees.Distinct())
            {
                if (IsExplicitConversion(callee))
                    continue;

                if (IsConversion(callee) || _converting.Contains(callee) || _convertingTypes.Contains(ReturnedOrConstructedType(callee)))
                    calls.Add(new ScalarConversionCall(method.Name, callee));
            }
        }

        return calls;
    }

    private static bool IsConversion(string member) =>
        member.StartsWith("TorchSharp.Scalar::op_Implicit(", StringComparison.Ordinal)
        || member.StartsWith("TorchSharp.ScalarExtensionMethods::To", StringComparison.Ordinal) && member.Contains("Scalar(", StringComparison.Ordinal);

    /// <summary>A <c>ToScalar()</c> call in a using declaration is how engine code makes a Scalar that outlives the call.</summary>
    private static bool IsExplicitConversion(string member) =>
        member.StartsWith("TorchSharp.ScalarExtensionMethods::ToScalar(", StringComparison.Ordinal);

    private static string ReturnedOrConstructedType(string member)
    {
        int arrow = member.LastIndexOf(" => ", StringComparison.Ordinal);
        return arrow < 0 ? "" : member[(arrow + 4)..];
    }

    /// <summary>One method's name, in the form "Namespace.Type+Nested::Name(Parameter types) => return type", and the members it calls.</summary>
    private sealed record MethodIl(string Name, IEnumerable<string> Callees);

    private sealed class AssemblyIl : IDisposable
    {
        private readonly PEReader _pe;
        private readonly MetadataReader _metadata;
        private readonly SignatureNames _names;

        public AssemblyIl(string path)
        {
            _pe = new PEReader(File.OpenRead(path));
            _metadata = _pe.GetMetadataReader();
            _names = new SignatureNames();
        }

        public IEnumerable<MethodIl> Methods()
        {
            foreach (var typeHandle in _metadata.TypeDefinitions)
            {
                foreach (var methodHandle in _metadata.GetTypeDefinition(typeHandle).GetMethods())
                {
                    var method = _metadata.GetMethodDefinition(methodHandle);
                    if (method.RelativeVirtualAddress != 0)
                        yield return new MethodIl(NameOf(methodHandle), Callees(method).ToList());
                }
            }
        }

        public void Dispose() => _pe.Dispose();

        private IEnumerable<string> Callees(MethodDefinition method)
        {
            var il = _pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
            while (il.RemainingBytes > 0)
            {
                var opCode = ReadOpCode(ref il);
                if (opCode is ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Newobj or ILOpCode.Ldftn or ILOpCode.Ldvirtftn)
                {
                    var name = NameOf(MetadataTokens.EntityHandle(il.ReadInt32()));
                    if (name is not null)
                        yield return opCode == ILOpCode.Newobj ? ConstructorName(name) : name;
                }
                else
                {
                    SkipOperand(ref il, opCode);
                }
            }
        }

        /// <summary>A constructor "returns" its type, so that <see cref="ReturnedOrConstructedType"/> sees what it builds.</summary>
        private static string ConstructorName(string name) =>
            name.EndsWith(" => Void", StringComparison.Ordinal) ? name[..^"Void".Length] + name[..name.IndexOf("::", StringComparison.Ordinal)] : name;

        private string? NameOf(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.MethodDefinition => NameOf((MethodDefinitionHandle)handle),
            HandleKind.MemberReference => NameOf((MemberReferenceHandle)handle),
            HandleKind.MethodSpecification => NameOf(_metadata.GetMethodSpecification((MethodSpecificationHandle)handle).Method),
            _ => null,
        };

        private string NameOf(MethodDefinitionHandle handle)
        {
            var method = _metadata.GetMethodDefinition(handle);
            var signature = method.DecodeSignature(_names, null);
            var type = _names.GetTypeFromDefinition(_metadata, method.GetDeclaringType(), 0);
            return Format(type, _metadata.GetString(method.Name), signature);
        }

        private string? NameOf(MemberReferenceHandle handle)
        {
            var member = _metadata.GetMemberReference(handle);
            if (member.GetKind() != MemberReferenceKind.Method)
                return null;

            string type = member.Parent.Kind switch
            {
                HandleKind.TypeReference => _names.GetTypeFromReference(_metadata, (TypeReferenceHandle)member.Parent, 0),
                HandleKind.TypeDefinition => _names.GetTypeFromDefinition(_metadata, (TypeDefinitionHandle)member.Parent, 0),
                HandleKind.TypeSpecification => GenericDefinition(_metadata.GetTypeSpecification((TypeSpecificationHandle)member.Parent).DecodeSignature(_names, null)),
                _ => "?",
            };
            return Format(type, _metadata.GetString(member.Name), member.DecodeMethodSignature(_names, null));
        }

        private static string GenericDefinition(string type)
        {
            int arguments = type.IndexOf('<');
            return arguments < 0 ? type : type[..arguments];
        }

        private static string Format(string type, string name, MethodSignature<string> signature) =>
            $"{type}::{name}({string.Join(",", signature.ParameterTypes)}) => {signature.ReturnType}";

        private static ILOpCode ReadOpCode(ref BlobReader il)
        {
            byte first = il.ReadByte();
            return first == 0xFE ? (ILOpCode)(0xFE00 | il.ReadByte()) : (ILOpCode)first;
        }

        private static void SkipOperand(ref BlobReader il, ILOpCode opCode)
        {
            if (opCode == ILOpCode.Switch)
            {
                il.Offset += 4 * il.ReadInt32();
                return;
            }

            il.Offset += OperandSize(opCode);
        }

        /// <summary>Operand size in bytes of every opcode but switch (ECMA-335, Partition III).</summary>
        private static int OperandSize(ILOpCode opCode) => opCode switch
        {
            ILOpCode.Ldarg_s or ILOpCode.Ldarga_s or ILOpCode.Starg_s or ILOpCode.Ldloc_s or ILOpCode.Ldloca_s
                or ILOpCode.Stloc_s or ILOpCode.Ldc_i4_s or ILOpCode.Unaligned
                or (>= ILOpCode.Br_s and <= ILOpCode.Blt_un_s) or ILOpCode.Leave_s => 1,
            ILOpCode.Ldarg or ILOpCode.Ldarga or ILOpCode.Starg or ILOpCode.Ldloc or ILOpCode.Ldloca or ILOpCode.Stloc => 2,
            ILOpCode.Ldc_i8 or ILOpCode.Ldc_r8 => 8,
            ILOpCode.Ldc_i4 or ILOpCode.Ldc_r4 or (>= ILOpCode.Br and <= ILOpCode.Blt_un) or ILOpCode.Leave
                or ILOpCode.Jmp or ILOpCode.Calli or ILOpCode.Cpobj or ILOpCode.Ldobj or ILOpCode.Ldstr
                or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Unbox or ILOpCode.Ldfld or ILOpCode.Ldflda
                or ILOpCode.Stfld or ILOpCode.Ldsfld or ILOpCode.Ldsflda or ILOpCode.Stsfld or ILOpCode.Stobj
                or ILOpCode.Box or ILOpCode.Newarr or ILOpCode.Ldelema or ILOpCode.Ldelem or ILOpCode.Stelem
                or ILOpCode.Unbox_any or ILOpCode.Refanyval or ILOpCode.Mkrefany or ILOpCode.Ldtoken
                or ILOpCode.Initobj or ILOpCode.Constrained or ILOpCode.Sizeof => 4,
            _ => 0,
        };
    }

    /// <summary>Type names for decoded signatures, with '+' before nested type names.</summary>
    private sealed class SignatureNames : ISignatureTypeProvider<string, object?>
    {
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";

        public string GetByReferenceType(string elementType) => elementType + "&";

        public string GetFunctionPointerType(MethodSignature<string> signature) => "method pointer";

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
            genericType + "<" + string.Join(",", typeArguments) + ">";

        public string GetGenericMethodParameter(object? context, int index) => "!!" + index;

        public string GetGenericTypeParameter(object? context, int index) => "!" + index;

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

        public string GetPinnedType(string elementType) => elementType;

        public string GetPointerType(string elementType) => elementType + "*";

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetSZArrayType(string elementType) => elementType + "[]";

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeDefinition(handle);
            var declaring = type.GetDeclaringType();
            string prefix = declaring.IsNil ? reader.GetString(type.Namespace) + "." : GetTypeFromDefinition(reader, declaring, rawTypeKind) + "+";
            return prefix + reader.GetString(type.Name);
        }

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            string prefix = type.ResolutionScope.Kind == HandleKind.TypeReference
                ? GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, rawTypeKind) + "+"
                : reader.GetString(type.Namespace) + ".";
            return prefix + reader.GetString(type.Name);
        }

        public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);
    }
}
