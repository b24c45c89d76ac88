package dev.xdperf.analyze.object;

import java.util.List;
import java.util.Optional;

/** A parsed BPF object: plain data, no kernel involved. */
public record ObjectSpec(String name, List<ProgramSpec> programs, List<MapSpec> maps, String license) {
    public ObjectSpec {
        programs = List.copyOf(programs);
        maps = List.copyOf(maps);
    }

    public Optional<ProgramSpec> program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<MapSpec> map(String name) {
        return maps.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    public int mapIndex(String name) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Picks a program: by program name or section name; with none given, the only program or
     * the only XDP program. Throws with the candidates listed when the choice is ambiguous.
     */
    public ProgramSpec select(String nameOrSection) {
        if (programs.isEmpty()) {
            throw new ObjectLoadException("select program in " + name + ": the object has no programs");
        }
        List<String> all = programs.stream().map(p -> p.name() + " (section " + p.section() + ")").toList();
        if (nameOrSection != null) {
            Optional<ProgramSpec> byName = program(nameOrSection);
            if (byName.isPresent()) {
                return byName.get();
            }
            List<ProgramSpec> bySection = programs.stream().filter(p -> p.section().equals(nameOrSection)).toList();
            if (bySection.size() == 1) {
                return bySection.get(0);
            }
            if (bySection.size() > 1) {
                throw new ObjectLoadException("select program " + nameOrSection + " in " + name
                        + ": the section holds several programs (give one of " + String.join(", ", all) + ")");
            }
            throw new ObjectLoadException("select program " + nameOrSection + " in " + name + ": no such program or section"
                    + " (the object has " + String.join(", ", all) + ")");
        }
        if (programs.size() == 1) {
            return programs.get(0);
        }
        List<ProgramSpec> xdp = programs.stream().filter(ProgramSpec::isXdp).toList();
        if (xdp.size() == 1) {
            return xdp.get(0);
        }
        throw new ObjectLoadException("select program in " + name + ": the object has several programs (give --section with one of "
                + String.join(", ", all) + ")");
    }
}
