"""Contract: the emulator offers nothing Shopify does not have.

Every type, field, argument, input field, enum value, interface and directive
of the emulator's SDL exists in Shopify's real schema of the default API
version, with the same kind, type and nullability. A subset (fewer fields,
fewer types) is allowed; anything looser lets wrong client code pass tests.
The enums the client reads are the real ones in full, so tests meet the
values a store sends.
"""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)

from connectors.shopify.versions import DEFAULT_API_VERSION
from emulators.shopify.sdl import MUTATION_SDL, SDL
from tests.unit.connectors.shopify.contracts import real_schema

EMULATOR = build_schema(SDL + MUTATION_SDL)
TYPES = sorted(name for name in EMULATOR.type_map if not name.startswith("__"))


def _differences(name: str, ours: GraphQLNamedType, real: GraphQLSchema) -> list[str]:
    theirs = real.type_map.get(name)
    if theirs is None:
        return [f"{name}: no such type in Shopify's schema"]
    if type(theirs) is not type(ours):
        return [f"{name}: a {type(ours).__name__} here, a {type(theirs).__name__} at Shopify"]
    problems: list[str] = []
    if isinstance(ours, GraphQLEnumType):
        assert isinstance(theirs, GraphQLEnumType)
        extra = sorted(set(ours.values) - set(theirs.values))
        if extra:
            problems.append(f"{name}: values Shopify does not have: {extra}")
        missing = sorted(set(theirs.values) - set(ours.values))
        if missing:
            problems.append(f"{name}: narrower than Shopify's, lacks {missing}")
    if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        assert isinstance(theirs, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType)
        for field_name, field in ours.fields.items():
            real_field = theirs.fields.get(field_name)
            where = f"{name}.{field_name}"
            if real_field is None:
                problems.append(f"{where}: no such field at Shopify")
                continue
            if str(real_field.type) != str(field.type):
                problems.append(f"{where}: {field.type} here, {real_field.type} at Shopify")
            for arg_name, arg in getattr(field, "args", {}).items():
                real_arg = real_field.args.get(arg_name)  # type: ignore[union-attr]
                if real_arg is None:
                    problems.append(f"{where}({arg_name}:): no such argument at Shopify")
                elif str(real_arg.type) != str(arg.type):
                    problems.append(
                        f"{where}({arg_name}:): {arg.type} here, {real_arg.type} at Shopify"
                    )
            # A required argument Shopify has and we lack would let a client omit it.
            ours_args = getattr(field, "args", {})
            for arg_name, real_arg in getattr(real_field, "args", {}).items():
                required = str(real_arg.type).endswith("!") and real_arg.default_value is None
                if required and arg_name not in ours_args:
                    problems.append(f"{where}({arg_name}:): required at Shopify, absent here")
    if isinstance(ours, GraphQLInputObjectType):
        assert isinstance(theirs, GraphQLInputObjectType)
        for field_name, real_field in theirs.fields.items():
            required = str(real_field.type).endswith("!") and real_field.default_value is None
            if required and field_name not in ours.fields:
                problems.append(f"{name}.{field_name}: required at Shopify, absent here")
    if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
        assert isinstance(theirs, GraphQLObjectType | GraphQLInterfaceType)
        real_interfaces = {i.name for i in theirs.interfaces}
        for interface in ours.interfaces:
            if interface.name not in real_interfaces:
                problems.append(f"{name}: implements {interface.name}, Shopify's does not")
    if isinstance(ours, GraphQLUnionType):
        assert isinstance(theirs, GraphQLUnionType)
        extra = {t.name for t in ours.types} - {t.name for t in theirs.types}
        if extra:
            problems.append(f"{name}: members Shopify does not have: {sorted(extra)}")
    return problems


@pytest.mark.parametrize("name", TYPES)
def test_emulator_type_matches_shopify(name: str) -> None:
    real = real_schema(DEFAULT_API_VERSION)
    problems = _differences(name, EMULATOR.type_map[name], real)
    assert not problems, "\n".join(problems)


def test_emulator_directives_exist_at_shopify() -> None:
    real = real_schema(DEFAULT_API_VERSION)
    for directive in EMULATOR.directives:
        theirs = real.get_directive(directive.name)
        assert theirs is not None, f"@{directive.name} is not Shopify's"
        for arg_name, arg in directive.args.items():
            assert str(theirs.args[arg_name].type) == str(arg.type)


def test_roots_are_shopifys() -> None:
    real = real_schema(DEFAULT_API_VERSION)
    assert EMULATOR.query_type is not None and real.query_type is not None
    assert EMULATOR.query_type.name == real.query_type.name
    assert EMULATOR.mutation_type is not None and real.mutation_type is not None
    assert EMULATOR.mutation_type.name == real.mutation_type.name


def test_the_check_catches_a_looser_emulator() -> None:
    """The comparison itself: the leniencies the issue found are reported."""
    real = real_schema(DEFAULT_API_VERSION)
    loose = build_schema(
        """
        enum CountryCode { US }
        enum OrderSortKeys { NUMBER }
        input MailingAddressInput { country: String countryCode: CountryCode }
        type Order { id: ID! suggestedRefund(suppressTransactions: Boolean): ID }
        type QueryRoot { order(id: ID!): Order }
        """
    )
    problems = [
        p
        for n in ("OrderSortKeys", "MailingAddressInput", "Order")
        for p in _differences(n, loose.type_map[n], real)
    ]
    joined = "\n".join(problems)
    assert "OrderSortKeys: values Shopify does not have: ['NUMBER']" in joined
    assert "MailingAddressInput.country: no such field" in joined
    assert "Order.suggestedRefund(suppressTransactions:): no such argument" in joined
    assert "Order.suggestedRefund: ID here" in joined
