package io.convscope.util;

import io.convscope.Setting;
import io.convscope.UnknownChoiceException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The one parser of named choices (resize modes, optimizers, colormaps, …): case-insensitive, with
 * aliases, and an {@link UnknownChoiceException} that lists the choices and suggests the nearest.
 * Each enum that users choose by name holds one {@code CHOICES}; front ends parse through it.
 *
 * @param <T> the values
 */
public final class Choices<T> {
    private final Map<String, T> byName = new LinkedHashMap<>();
    private final List<String> names = new ArrayList<>();

    private Choices() {
    }

    /** The constants of {@code type} by their lower-case names, {@code _} written {@code -}. */
    public static <E extends Enum<E>> Choices<E> of(Class<E> type) {
        return of(type, e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    /** The constants of {@code type} by {@code name}. */
    public static <E extends Enum<E>> Choices<E> of(Class<E> type, Function<E, String> name) {
        Choices<E> c = new Choices<>();
        for (E e : type.getEnumConstants()) {
            String n = name.apply(e);
            c.names.add(n);
            c.byName.put(n.toLowerCase(Locale.ROOT), e);
        }
        return c;
    }

    /** This parser, also accepting {@code alias} for {@code value} (aliases are not listed in messages). */
    public Choices<T> alias(String alias, T value) {
        byName.put(alias.toLowerCase(Locale.ROOT), value);
        return this;
    }

    /** The names, in their order (without aliases). */
    public List<String> names() {
        return List.copyOf(names);
    }

    /** The value named {@code text} (case and surrounding blanks ignored), or null. */
    public T find(String text) {
        return text == null ? null : byName.get(text.strip().toLowerCase(Locale.ROOT));
    }

    /** The value named {@code text}; refuses others naming {@code setting} (null: the caller names it). */
    public T parse(String text, Setting setting) {
        T v = find(text);
        if (v == null) {
            throw new UnknownChoiceException(text, names, setting, Names.didYouMean(text == null ? "" : text.strip(), names));
        }
        return v;
    }

    /** {@link #parse(String, Setting)} for a front end that names the setting itself. */
    public T parse(String text) {
        return parse(text, null);
    }
}
