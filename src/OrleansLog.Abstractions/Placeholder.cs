namespace OrleansLog; internal static class Placeholder { }
