using UnlearnDashboard.Engine.Models;

namespace UnlearnDashboard.Engine.Evidence;

/// <summary>
/// Re-runs a debias method's update for another removal set: returns a new model, owned by the caller, that
/// is the base model after removing the training rows at <paramref name="trainPositions"/> (0-based positions
/// in the training split) by the same method and settings as the run.
/// </summary>
public delegate TrainedModel RemovalUpdate(int[] trainPositions, CancellationToken cancellationToken);
