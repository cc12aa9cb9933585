"""Personal recommendations: a listener's taste, context, feedback and the
collaborative model, blended by one hybrid ranker with explanations.

What plugs in here: a `CollaborativeScorer` (scores for a user's current
items, from whatever collaborative model training produced) and the
`FeatureIndex` of the catalog; `PersonalRecommendationService` combines them.
For a large catalog the service also builds the index's `ContentBounds` once,
so that the ranker computes the taste kernel on a few thousand rows only.
"""
