namespace OrleansLog.Storage; internal static class Placeholder { }
