"""Staff triage page: a small FastAPI app that asks Rasa's triage endpoint and records referrals."""
