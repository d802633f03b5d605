namespace DigitGan.Shared.Sweeps;

/// <summary>Whether a run goes on past a rung, and why (kept in the sweep manifest).</summary>
public sealed record AshaDecision(bool Continue, string Reason);
