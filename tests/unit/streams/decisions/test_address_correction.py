"""A reviewer's address correction is checked before it becomes an orderUpdate."""

from __future__ import annotations

import json

import pytest

from schemas.records import ActionKind, CaseType, CaseVariable, VariableType
from streams.decisions import DecisionDataError, OutcomeMapper

CASE = "ORDER_REVIEW-0123456789abcdef"


def _actions(address: object) -> list[dict[str, object]]:
    result = OutcomeMapper().actions(
        decision_id=f"{CASE}:task-1",
        case_id=CASE,
        case_type=CaseType.ORDER_REVIEW,
        outcome="corrected",
        team="fraud",
        variables=[
            CaseVariable(name="orderId", value="1001"),
            CaseVariable(name="shippingAddress", type=VariableType.JSON, value=json.dumps(address)),
        ],
    )
    return [a.params_dict() for a in result if a.kind is ActionKind.UPDATE_ORDER]


def test_a_valid_correction_is_sent_as_mailing_address_input() -> None:
    [update] = _actions({"address1": "1 Main St", "country_code": "gb", "province_code": "eng"})
    assert update["shippingAddress"] == {
        "address1": "1 Main St",
        "countryCode": "GB",
        "provinceCode": "ENG",
    }


def test_a_country_name_is_a_data_error_naming_the_field() -> None:
    with pytest.raises(DecisionDataError, match="'country' is not an address field") as info:
        _actions({"address1": "1 Main St", "country": "United Kingdom"})
    assert info.value.case_id == CASE
