package dev.xdperf.cli;

import dev.xdperf.spec.Profile;
import dev.xdperf.spec.RunSpec;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A run kept in a file and a command line that changes it, or prints what it means (`client`).
 * With a profile only the options on the command line count ({@link #given}); without one, every
 * option does, its default too.
 */
final class ProfileOptions {
    @Option(names = "--profile", paramLabel = "FILE",
            description = {"Run the RunSpec in FILE (.yaml/.yml or .json; docs/profiles.md).",
                    "Options given on the command line override the file's values."})
    Path profile;

    @Option(names = "--print-profile", paramLabel = "FORMAT", arity = "0..1", fallbackValue = "yaml",
            description = "Print the profile this command line means (yaml, the default, or json) and exit without sending.")
    String printProfile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Whether a profile is the base of the run. */
    boolean overFile() {
        return profile != null;
    }

    /** Without a profile every option counts (its default too); with one, only those on the command line. */
    boolean given(String option) {
        return profile == null || matched(option);
    }

    /** Whether the option is on the command line. */
    boolean matched(String option) {
        return command != null && command.commandLine() != null && command.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The profile's run as a builder, its interface replaced by {@code dev} unless null. */
    RunSpec.Builder read(String dev) {
        return Profile.read(profile, dev).toBuilder();
    }

    /** Prints {@code run} as a profile when --print-profile asks for it; whether it did. */
    boolean print(RunSpec run) {
        if (printProfile == null) {
            return false;
        }
        Profile.Format format = switch (printProfile.toLowerCase(Locale.ROOT)) {
            case "yaml", "yml" -> Profile.Format.YAML;
            case "json" -> Profile.Format.JSON;
            default -> throw new IllegalArgumentException("--print-profile " + printProfile + ": give yaml or json");
        };
        System.out.print(Profile.write(run, format));
        return true;
    }
}
