namespace OrleansLog.Silo;

/// <summary>A bad host setting, reported on one line at start-up, naming the setting.</summary>
internal sealed class SettingException(string message) : Exception(message);
