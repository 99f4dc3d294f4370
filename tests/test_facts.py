from prd_assistant.facts import extract_facts, service_name


def test_service_name_from_leading_proper_noun():
    assert (
        service_name("ParcelPing is a delivery notification service for merchants.") == "ParcelPing"
    )


def test_service_name_from_called_phrase():
    assert (
        service_name("We want a tool called Ledger Lens that reconciles invoices.") == "Ledger Lens"
    )


def test_service_name_falls_back_to_the_kind_of_service():
    assert (
        service_name("a webhook delivery service that retries failed calls")
        == "Webhook Delivery Service"
    )
    assert service_name("something for teams") == "New Service"


def test_facts_keep_numbers_actors_systems_and_compliance():
    facts = extract_facts(
        "ParcelPing is a delivery notification service for online merchants. It sends SMS updates "
        "via Twilio to shoppers, 2,000 notifications per minute at peak. It must comply with GDPR."
    )
    assert facts.summary.startswith("ParcelPing is")
    assert facts.numbers == (
        "It sends SMS updates via Twilio to shoppers, 2,000 notifications per minute at peak.",
    )
    assert facts.actors == ("merchants", "shoppers")
    assert "Twilio" in facts.integrations and "ParcelPing" not in facts.integrations
    assert facts.compliance == ("GDPR",)
