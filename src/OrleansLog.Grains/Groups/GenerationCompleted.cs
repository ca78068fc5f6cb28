namespace OrleansLog.Grains.Groups;

/// <summary>A join phase completed: the new generation, its member count and the assignor it used (null when the group emptied).</summary>
internal readonly record struct GenerationCompleted(int GenerationId, int Members, string? Assignor, bool FollowUpNeeded);
