"""Mock exams: blueprints, assembly and scoring (pure), and the exam service (store)."""
