using UnlearnDashboard.Engine;
using EngineModels = UnlearnDashboard.Engine.Models;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Mapping;

/// <summary>Maps model settings between proto and engine.</summary>
internal static class SettingsMapper
{
    /// <summary>
    /// Converts and validates proto settings; unset fields take the engine's defaults. Errors name the proto
    /// field under <paramref name="field"/>, for example <c>settings.epochs</c>.
    /// </summary>
    public static EngineModels.ModelSettings ToEngine(this Proto.ModelSettings? settings, string field)
    {
        settings ??= new Proto.ModelSettings();
        var defaults = new EngineModels.ModelSettings();
        var architecture = settings.Architecture switch
        {
            Proto.Architecture.Mlp => EngineModels.Architecture.Mlp,
            Proto.Architecture.LogisticRegression => EngineModels.Architecture.LogisticRegression,
            _ => throw EngineException.Invalid($"{field}.architecture",
                $"{field}.architecture {(int)settings.Architecture} is unknown; use ARCHITECTURE_MLP or ARCHITECTURE_LOGISTIC_REGRESSION.",
                settings.Architecture.ToString()),
        };
        if (settings.HasSeed && settings.Seed > int.MaxValue)
        {
            throw EngineException.Invalid($"{field}.seed",
                $"{field}.seed must be at most {int.MaxValue}; got {settings.Seed}.", settings.Seed.ToString());
        }

        var converted = new EngineModels.ModelSettings
        {
            Architecture = architecture,
            Hidden = settings.Hidden.Count > 0 ? settings.Hidden.ToList() : defaults.Hidden,
            Epochs = settings.HasEpochs ? settings.Epochs : defaults.Epochs,
            BatchSize = settings.HasBatchSize ? settings.BatchSize : defaults.BatchSize,
            LearningRate = settings.HasLearningRate ? settings.LearningRate : defaults.LearningRate,
            Seed = settings.HasSeed ? (int)settings.Seed : defaults.Seed,
            ExcludeSensitiveFeature = settings.ExcludeSensitiveFeature,
        };
        try
        {
            converted.Validate();
        }
        catch (EngineException error)
        {
            throw new EngineException(error.Kind, $"{field}.{error.Field}", error.Message, error.Value);
        }

        return converted;
    }

    /// <summary>Converts engine settings to proto with every field set.</summary>
    public static Proto.ModelSettings ToProto(this EngineModels.ModelSettings settings) => new()
    {
        Architecture = settings.Architecture == EngineModels.Architecture.Mlp
            ? Proto.Architecture.Mlp
            : Proto.Architecture.LogisticRegression,
        Hidden = { settings.EffectiveHidden },
        Epochs = settings.Epochs,
        BatchSize = settings.BatchSize,
        LearningRate = settings.LearningRate,
        Seed = (uint)settings.Seed,
        ExcludeSensitiveFeature = settings.ExcludeSensitiveFeature,
    };
}
