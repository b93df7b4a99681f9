using TorchSharp;

namespace UnlearnDashboard.Engine.Numerics;

/// <summary>
/// Scalars for engine arithmetic that outlive every native call they are passed to.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 hands a <see cref="Scalar"/>'s native handle to libtorch and keeps no reference to the
/// object. So the temporary Scalar that C# makes from a number (<c>tensor * 0.5</c>, or <c>a + b</c>, which
/// passes alpha 1) can be finalized by a garbage collection on another thread while libtorch still reads it,
/// and c10 then fails in <c>Scalar::toDouble</c> with "Expected false to be true". Engine code passes these
/// static scalars, or one made by <c>ToScalar()</c> in a <c>using</c> declaration, which keeps it alive until
/// the call has returned. A test rejects engine code that converts a number to a Scalar implicitly or calls
/// a TorchSharp member that does.
/// </remarks>
internal static class Scalars
{
    /// <summary>The integer 0.</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>The integer 1, for example the alpha of <c>a.add(b, Scalars.One)</c>.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>The integer 2.</summary>
    public static readonly Scalar Two = 2.ToScalar();
}
