import type { Container, MapToResolvedValueInjectOptions } from 'inversify';

/** Replacement values by token, e.g. `{ [TOKENS.KeyValueStore]: new InMemoryKeyValueStore() }`. */
export type Overrides = { [token: symbol]: unknown };

/** The tokens a factory is given, one per parameter, in order. */
export type Dependencies<A extends unknown[]> = MapToResolvedValueInjectOptions<A>;

/**
 * Binds `token` to what `make` builds from the dependencies it names (once: the container's scope is
 * singleton). Every binding says what it needs, so the graph can be read from the bindings alone.
 */
export type Bind = <T, A extends unknown[]>(token: symbol, make: (...dependencies: A) => T, dependencies: NoInfer<Dependencies<A>>) => void;

/** A Bind over `container` where an overridden token gets the test's value instead of `make`'s. */
export function binder(container: Container, overrides: Overrides = {}): Bind {
  return (token, make, dependencies) => {
    if (token in overrides) container.bind(token).toConstantValue(overrides[token]);
    else container.bind(token).toResolvedValue(make, dependencies);
  };
}
