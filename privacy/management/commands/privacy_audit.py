"""python manage.py privacy_audit: check live data against the privacy policy. Prints each check with a count
and example ids (never an email); exits with status 1 when anything is found."""

import sys

from django.core.management.base import BaseCommand

from privacy.data_rights import run_audit


class Command(BaseCommand):
    help = "Check live data against the privacy policy (exit status 1 when anything is found)."

    def handle(self, *args, **options) -> None:
        findings = run_audit()
        problems = 0
        for finding in findings:
            if finding.count == 0:
                self.stdout.write(f"ok    {finding.key}: {finding.description}")
                continue
            problems += 1
            if finding.count < 0:
                self.stdout.write(f"ERROR {finding.key}: {finding.description}: the check failed (see the log)")
                continue
            examples = ", ".join(str(example) for example in finding.examples)
            self.stdout.write(f"FOUND {finding.key}: {finding.description}: {finding.count} (e.g. ids {examples})")
        self.stdout.write(f"{len(findings)} checks, {problems} with findings.")
        if problems:
            sys.exit(1)
