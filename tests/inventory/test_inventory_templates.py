"""Templates: native types, variables at every level, env(), secret() and where secrets
come from; failures at the value's line, never an empty string or a printed secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory_kit import SECRET_VALUES, SITE, load, problems, secrets_file, write

from camlink_provision.inventory.model import Secret

ADMIN = SECRET_VALUES["admin_password"]


def site_with(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SITE
    return write(tmp_path, {"inventory.yml": SITE.replace(old, new)})


def test_a_single_expression_keeps_its_type(tmp_path: Path) -> None:
    inv = site_with(tmp_path, "          model: SD9384-EHL\n",
                    "          model: SD9384-EHL\n          base: 18000\n"
                    "          site_port: \"{{ base + 1 }}\"\n"
                    "          where: {host: 127.0.0.1}\n"
                    "          connection: \"{{ where }}\"\n")
    ptz = load([inv], secrets_file(tmp_path)).site.cameras["ptz-1"]
    assert ptz.site_port == 18001
    assert ptz.connection.host == "127.0.0.1"


def test_other_templates_render_text_and_see_magic_variables(tmp_path: Path) -> None:
    inv = site_with(tmp_path, "            - {name: gate, pan: 100, tilt: -200, zoom: 4}\n",
                    "            - {name: gate, pan: 100, tilt: -200, zoom: 4}\n"
                    "            - {name: \"{{ inventory_hostname }}-{{ group_names | join('-') "
                    "}}\"}\n")
    ptz = load([inv], secrets_file(tmp_path)).site.cameras["ptz-1"]
    assert [p.name for p in ptz.presets] == ["gate", "ptz-1-ptz"]


def test_env_with_and_without_default(tmp_path: Path) -> None:
    inv = site_with(tmp_path, "address: 192.0.2.21",
                    "address: \"{{ env('PTZ_ADDRESS') }}\"")
    secrets = secrets_file(tmp_path)
    site = load([inv], secrets, environ={"PTZ_ADDRESS": "192.0.2.77"}).site
    assert site.cameras["ptz-1"].address == "192.0.2.77"
    inv = site_with(tmp_path, "address: 192.0.2.21",
                    "address: \"{{ env('PTZ_ADDRESS', '192.0.2.88') }}\"")
    assert load([inv], secrets).site.cameras["ptz-1"].address == "192.0.2.88"


def test_secrets_become_secret_objects_even_mixed_into_text(tmp_path: Path) -> None:
    inv = site_with(tmp_path, "          model: SD9384-EHL\n",
                    "          model: SD9384-EHL\n"
                    "          suffix: \"-2\"\n"
                    "          link_credentials:\n"
                    "            username: camlink\n"
                    "            password: \"{{ secret('link_password') }}{{ suffix }}\"\n")
    site = load([inv], secrets_file(tmp_path)).site
    ptz = site.cameras["ptz-1"]
    assert isinstance(ptz.credentials.password, Secret)
    assert ptz.credentials.password.reveal() == ADMIN
    assert ptz.peer_credentials.password.reveal() == SECRET_VALUES["link_password"] + "-2"
    assert ptz.peer_credentials.privilege == "operator"
    assert ADMIN not in repr(site) and ADMIN not in str(ptz.credentials)


def test_a_variable_may_carry_a_secret_to_a_password(tmp_path: Path) -> None:
    inv = site_with(tmp_path, "    credentials: {username: admin, password: \"{{ secret("
                    "'admin_password') }}\"}\n",
                    "    pw: \"{{ secret('admin_password') }}\"\n"
                    "    credentials: {username: admin, password: \"{{ pw }}\"}\n")
    site = load([inv], secrets_file(tmp_path)).site
    assert site.cameras["spot-1"].credentials.password.reveal() == ADMIN


def test_a_failure_mentioning_a_secret_hides_the_details(tmp_path: Path) -> None:
    inv = site_with(tmp_path, "address: 192.0.2.21",
                    "address: \"{{ secret('admin_password') + 1 }}\"")
    found = problems([inv], secrets_file(tmp_path))
    assert found == [f"{inv / 'inventory.yml'}:15:20: template error while using a secret "
                     "(details hidden) — check the expression around secret()"]


@pytest.mark.parametrize("layout", ["file", "directory", "environment", "beside"])
def test_where_secrets_come_from(tmp_path: Path, layout: str,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    inv = write(tmp_path / "site", {"inventory.yml": SITE})
    environ: dict[str, str] = {}
    secrets: Path | None = None
    if layout == "file":
        secrets = secrets_file(tmp_path)
    elif layout == "directory":
        secrets = write(tmp_path / "vault", {"admin_password": f"{ADMIN}\n"})
    elif layout == "environment":
        environ["CAMLINK_SECRETS"] = str(secrets_file(tmp_path))
    else:
        write(inv, {"secrets/admin_password": f"{ADMIN}\n"})
    site = load([inv], secrets, environ).site
    assert site.cameras["ptz-1"].credentials.password.reveal() == ADMIN


def test_without_any_secrets_source_secret_is_an_error_saying_how(tmp_path: Path) -> None:
    inv = write(tmp_path, {"inventory.yml": SITE})
    assert problems([inv]) == [
        f"{inv / 'inventory.yml'}:3:46: secret 'admin_password' is not defined — give its "
        "value: $CAMLINK_SECRET_ADMIN_PASSWORD, --secrets PATH, --secrets-command CMD, "
        "$CAMLINK_SECRETS, or secrets.yml beside the inventory"]


def test_a_missing_secrets_file_is_an_error(tmp_path: Path) -> None:
    inv = write(tmp_path, {"inventory.yml": SITE})
    assert problems([inv], tmp_path / "nope.yml") == [
        f"{tmp_path / 'nope.yml'}:1:1: the secrets file or directory does not exist — check "
        "--secrets"]


def test_a_broken_secrets_file_never_quotes_its_lines(tmp_path: Path) -> None:
    inv = write(tmp_path, {"inventory.yml": SITE})
    broken = tmp_path / "secrets.yml"
    broken.write_text(f"admin_password: {ADMIN}\nlink_password: [oops-{ADMIN}\n")
    found = problems([inv], broken)
    assert len(found) == 1 and "YAML syntax error" in found[0]
    assert ADMIN not in found[0]


def test_links_are_templated_with_the_variables_of_all(tmp_path: Path) -> None:
    inv = site_with(tmp_path, "    credentials:", "    main_ptz: ptz-1\n    credentials:")
    write(inv, {"inventory.yml": (inv / "inventory.yml").read_text().replace(
        "{ptz: ptz-1, preset: gate}", "{ptz: \"{{ main_ptz }}\", preset: gate}")})
    site = load([inv], secrets_file(tmp_path)).site
    assert site.links[0].targets[0].ptz == "ptz-1"



def test_large_numbers_that_are_not_sizes_pass_the_template_budget() -> None:
    """The budget refuses sizes (a width, a repetition), not big numbers in general."""
    from camlink_provision.errors import Location
    from camlink_provision.inventory.located import LDict
    from camlink_provision.inventory.secrets import SecretStore
    from camlink_provision.inventory.template import Scope, TemplateEngine, TemplateFailure
    where = Location("site.yml", 3, 5)
    scope = Scope(TemplateEngine(SecretStore({}, None), {}), LDict(where), {})
    assert scope.render_string("{{ nothing | default(200000) + 1 }}", where) == 200001
    assert scope.render_string("{{ dict(limit=300000) }}", where) == {"limit": 300000}
    assert scope.render_string("{{ 10 ** 6 }}", where) == 1000000
    assert scope.render_string("{{ 'ab' ~ 300000 }}", where) == "ab300000"
    for bomb in ("{{ 'x' | center(300000) }}", "{{ 'x'.rjust(300000) }}",
                 "{{ 'x' ~ 'y' * 200000 }}"):
        with pytest.raises(TemplateFailure, match="more than 100,000 characters"):
            scope.render_string(bomb, where)
